"""The local history (beside the stages): the SQLite store of every analysed answer (`store`) and
the trends over it (`progress`)."""
