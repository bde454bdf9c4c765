"""Stage 6, report: everything a candidate reads. The terminal report (`terminal`), `--explain`
(`explain`), interviews (`interview`), progress and history views (`progress`) and charts
(`plot`), the self-contained HTML pages (`html`, geometry in `timeline`, the recording embedded by
`embed`, markup in `templates/`)."""
