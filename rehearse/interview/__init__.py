"""Mock interviews and folders (beside the stages): who speaks (`voices`), the question turns
(`turns`), each answer analysed from one transcription and the summary (`answers`), and a folder
of recordings analysed in parallel (`batch`)."""
