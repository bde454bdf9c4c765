"""The local browser app, `rehearse serve` (above the report stage, below the commands): the
same product as the command line, in a browser, with nothing leaving the machine.

It records with the practice stage's recorder, session WAV and streaming transcriber, analyses
with the pipeline and the interview stage, draws with the report stage's HTML renderer, and
keeps everything in the history the command line uses.

- `app`: the Starlette app: routes, the checks every request passes, static assets.
- `server`: what the routes share (options, model, jobs, templates) and responses with their CSP.
- `pages`: Practise, Upload, Report, History, Compare, a mock interview; recordings; CSV; delete.
- `live`: an answer recorded in the browser (WebSocket → recorder → session WAV, live figures).
- `uploads`: uploaded recordings: size limit, accepted by decoding, analysis jobs with progress.
- `guard`: Host and Origin checks against other web pages (DNS rebinding, cross-site requests).
"""
