"""Stage 5, STAR: each sentence labelled Situation, Task, Action or Result and the sections timed
(`label`); the interviewer's view added by `coach`: findings, Leadership Principles, follow-up
questions and the structure score; the ranked tips (`tips`)."""
