"""A second listen: each voiced island heard again by Whisper on its own.

Whisper writes a word over many filled pauses it does not recognise ("But," or "The" for an
"uh" said between two phrases): the words around it make a word likelier than a hesitation.
Heard alone, the island with a few hundredths of a second either side and silence before it,
the same model writes "Uh." for most of them and a word for a word. So every voiced island
(`rehearse.acoustic.islands`) is decoded again on its own and what Whisper wrote is kept on the
island (`Stretch.heard_as`); `rehearse.fillers` decides what it means.

It is cheap: the encoder runs on a short window (`encoder_s`, not Whisper's 30 s; the
CTranslate2 encoder takes any length), all islands in a few batches, and the decoder writes at
most `max_tokens` tokens greedily.
"""

from __future__ import annotations

import numpy as np

from rehearse.acoustic import Stretch
from rehearse.audio import SAMPLE_RATE


def relisten(whisper, samples: np.ndarray, islands: list[Stretch], cfg: dict, english_only: bool = True) -> None:
    """Set `heard_as` on each island: Whisper's text for the island heard alone (may be "")."""
    if not islands or not cfg.get("encoder_s"):
        return
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(whisper.hf_tokenizer, not english_only, task="transcribe",
                          language=None if english_only else "en")
    prompt = whisper.get_prompt(tokenizer, tokenizer.encode(" " + cfg["prompt"]) if cfg.get("prompt") else [],
                                without_timestamps=True)
    frames = round(cfg["encoder_s"] * SAMPLE_RATE / whisper.feature_extractor.hop_length)
    width = frames * whisper.feature_extractor.hop_length
    lead = np.zeros(round(cfg["lead_s"] * SAMPLE_RATE), np.float32)
    batch = int(cfg.get("batch", 16))
    for k in range(0, len(islands), batch):
        group = islands[k : k + batch]
        features = []
        for s in group:
            a = max(0, round((s.start_s - cfg["pad_s"]) * SAMPLE_RATE))
            b = round((s.end_s + cfg["pad_s"]) * SAMPLE_RATE)
            clip = np.concatenate([lead, samples[a:b].astype(np.float32, copy=False)])[:width]
            clip = np.pad(clip, (0, width - len(clip)))
            features.append(whisper.feature_extractor(clip)[:, :frames])
        encoded = whisper.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(features))),
                                       to_cpu=False)
        results = whisper.model.generate(encoded, [prompt] * len(group), beam_size=1, suppress_blank=False,
                                         max_length=len(prompt) + int(cfg["max_tokens"]))
        for s, r in zip(group, results):
            s.heard_as = tokenizer.decode([t for t in r.sequences_ids[0] if t < tokenizer.eot]).strip()
