"""Stage 2, speech: Whisper's words. The model (`model`), one pass of Whisper with its filters on
words said over silence (`transcribe`), words into sentences (`sentences`), filters on the words
(`filters`), the holes and copies mended (`holes`), short clips heard again on their own
(`relisten`), word helpers (`words`); `transcript.transcribe_speech` is the one call that does it
all."""
