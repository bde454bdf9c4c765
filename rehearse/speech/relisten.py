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


def relisten(whisper, samples: np.ndarray, islands: list, cfg: dict, english_only: bool = True,
             known: dict[tuple[float, float], str] | None = None) -> None:
    """Set `heard_as` on each island (anything with `start_s`, `end_s` and `heard_as`, such as
    `rehearse.delivery.acoustic.Stretch`): Whisper's text for the island heard alone (may be "").
    `known` holds what was heard already (`hear_islands`, keyed by `key`): those are not decoded again."""
    if not islands or not cfg.get("encoder_s"):
        return
    heard = dict(known or {})
    left = [(s.start_s, s.end_s) for s in islands if key(s.start_s, s.end_s) not in heard]
    heard |= hear_islands(whisper, samples, left, cfg, english_only)
    for s in islands:
        s.heard_as = heard[key(s.start_s, s.end_s)]


def key(start_s: float, end_s: float) -> tuple[float, float]:
    """An island's times as a key (islands lie on the 10-ms frame grid)."""
    return round(start_s, 2), round(end_s, 2)


def hear_islands(whisper, samples: np.ndarray, islands: list[tuple[float, float]], cfg: dict,
                 english_only: bool = True, origin: int = 0) -> dict[tuple[float, float], str]:
    """Whisper's text for each island (start, end in seconds) heard alone, by `key`: what `relisten`
    sets as its `heard_as`. Practice hears the islands of finished blocks while the candidate speaks.
    `samples` may be a part of the recording that starts at sample `origin`."""
    if not islands or not cfg.get("encoder_s"):
        return {}
    clips = [(a - cfg["pad_s"], b + cfg["pad_s"]) for a, b in islands]
    texts = hear_clips(whisper, samples, clips, cfg["encoder_s"], int(cfg["max_tokens"]), cfg.get("prompt"),
                       cfg["lead_s"], int(cfg.get("batch", 16)), english_only, origin)
    return {key(a, b): text for (a, b), text in zip(islands, texts)}


def hear_clips(whisper, samples: np.ndarray, clips: list[tuple[float, float]], window_s: float, max_tokens: int,
               prompt: str | None = None, lead_s: float = 0.0, batch: int = 16,
               english_only: bool = True, origin: int = 0) -> list[str]:
    """Whisper's text for each clip (start, end in seconds) heard on its own: `lead_s` of silence,
    then the clip, cut or padded to a `window_s` encoder window, decoded greedily after `prompt`
    (no earlier text), at most `max_tokens` tokens; `batch` clips at a time. `samples[0]` is
    sample `origin` of the recording the clip times refer to."""
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
            piece = samples[max(0, round(a * SAMPLE_RATE)) - origin : max(0, round(b * SAMPLE_RATE)) - origin]
            clip = np.concatenate([lead, piece.astype(np.float32, copy=False)])[:width]
            clip = np.pad(clip, (0, width - len(clip)))
            features.append(whisper.feature_extractor(clip)[:, :frames])
        encoded = whisper.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(features))),
                                       to_cpu=False)
        results = whisper.model.generate(encoded, [start_tokens] * len(group), beam_size=1, suppress_blank=False,
                                         max_length=len(start_tokens) + max_tokens)
        texts += [tokenizer.decode([t for t in r.sequences_ids[0] if t < tokenizer.eot]).strip() for r in results]
    return texts
