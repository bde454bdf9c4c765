"""Stage 1, audio: any recording decoded to 16 kHz mono (`decode`), WAV files read and mended
(`wav`), voice activity (`vad`), and microphone capture (`capture`, the only importer of
sounddevice)."""
