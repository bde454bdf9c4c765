"""Practising out loud (beside the stages): the session WAV written as audio arrives
(`session_wav`), the recording loop and its stops (`recorder`), transcription while the candidate
speaks (`streaming`), the live view (`live_view`), the question bank (`question_bank`) and one
attempt against another (`compare`)."""
