"""Stage 4, voice: pitch (`pitch`), loudness (`loudness`) and wording habits (`wording`);
`analyze.analyze_voice` gathers them."""
