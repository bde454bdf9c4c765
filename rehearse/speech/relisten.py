"""A second listen: each voiced island heard again by Whisper on its own.

Whisper writes a word over many filled pauses it does not recognise ("But," or "The" for an
"uh" said between two phrases): the words around it make a word likelier than a hesitation.
Heard alone, the island with a few hundredths of a second either side and silence before it,
the same model writes "Uh." for most of them and a word for a word. So every voiced island
(`rehearse.delivery.acoustic.islands`) is decoded again on its own and what Whisper wrote is kept on the
island (`Stretch.heard_as`); `rehearse.delivery.fillers` decides what it means.

It is cheap: the encoder runs on a short window (`encoder_s`, not Whisper's 30 s; the
CTranslate2 encoder takes any length), all islands in a few batches, and the decoder writes at
most `max_tokens` tokens greedily.
"""

from __future__ import annotations

import numpy as np

from rehearse.audio.decode import SAMPLE_RATE


def relisten(whisper, samples: np.ndarray, islands: list, cfg: dict, english_only: bool = True) -> None:
    """Set `heard_as` on each island (anything with `start_s`, `end_s` and `heard_as`, such as
    `rehearse.delivery.acoustic.Stretch`): Whisper's text for the island heard alone (may be "")."""
    if not islands or not cfg.get("encoder_s"):
        return
    clips = [(s.start_s - cfg["pad_s"], s.end_s + cfg["pad_s"]) for s in islands]
    texts = hear_clips(whisper, samples, clips, cfg["encoder_s"], int(cfg["max_tokens"]), cfg.get("prompt"),
                       cfg["lead_s"], int(cfg.get("batch", 16)), english_only)
    for s, text in zip(islands, texts):
        s.heard_as = text


def hear_clips(whisper, samples: np.ndarray, clips: list[tuple[float, float]], window_s: float, max_tokens: int,
               prompt: str | None = None, lead_s: float = 0.0, batch: int = 16,
               english_only: bool = True) -> list[str]:
    """Whisper's text for each clip (start, end in seconds) heard on its own: `lead_s` of silence,
    then the clip, cut or padded to a `window_s` encoder window, decoded greedily after `prompt`
    (no earlier text), at most `max_tokens` tokens; `batch` clips at a time."""
    if not clips:
        return []
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(whisper.hf_tokenizer, not english_only, task="transcribe",
                          language=None if english_only else "en")
    start_tokens = whisper.get_prompt(tokenizer, tokenizer.encode(" " + prompt) if prompt else [],
                                      without_timestamps=True)
    frames = round(window_s * SAMPLE_RATE / whisper.feature_extractor.hop_length)
    width = frames * whisper.feature_extractor.hop_length
    lead = np.zeros(round(lead_s * SAMPLE_RATE), np.float32)
    texts: list[str] = []
    for k in range(0, len(clips), batch):
        group = clips[k : k + batch]
        features = []
        for a, b in group:
            piece = samples[max(0, round(a * SAMPLE_RATE)) : max(0, round(b * SAMPLE_RATE))]
            clip = np.concatenate([lead, piece.astype(np.float32, copy=False)])[:width]
            clip = np.pad(clip, (0, width - len(clip)))
            features.append(whisper.feature_extractor(clip)[:, :frames])
        encoded = whisper.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(features))),
                                       to_cpu=False)
        results = whisper.model.generate(encoded, [start_tokens] * len(group), beam_size=1, suppress_blank=False,
                                         max_length=len(start_tokens) + max_tokens)
        texts += [tokenizer.decode([t for t in r.sequences_ids[0] if t < tokenizer.eot]).strip() for r in results]
    return texts
