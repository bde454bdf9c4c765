"""rehearse: offline voice rehearsal for behavioural interviews.

One folder per stage, in the order data flows; a module imports only from its own folder and
the layers below it (checked by tests/test_layout.py):

    errors, models, rubric, paths, clock    shared: the contract between stages and its helpers
    audio        decode, WAV files, voice activity, microphone capture
    speech       Whisper's words, cleaned up (one call: speech.transcript.transcribe_speech)
    delivery     pace, pauses, fillers, repetitions
    voice        pitch, loudness, wording habits
    star         STAR labels and section times, findings, principles, follow-ups, score, tips
    pipeline     one answer: decode → voice activity → transcribe → delivery → STAR → voice → tips
    history      the SQLite history and the trends over it
    interview    mock interviews and folders of recordings
    practice     recording from the microphone, transcription while speaking, the question bank
    report       terminal, --explain, HTML pages, charts
    web          the local browser app (`rehearse serve`)
    commands     one module per subcommand; cli.py and __main__.py on top
"""

__version__ = "0.1.0"

