"""Stage 3, delivery: pace (`pace`), pauses (`pauses`), filled pauses and discourse markers
(`fillers`, placed and found in the audio by `acoustic`), repetitions and false starts
(`repetitions`); `analyze.analyze_delivery` gathers them."""
