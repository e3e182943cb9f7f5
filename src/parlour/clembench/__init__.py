"""clembench 2.0 on parlour's engines: clemcore's own game code plays, parlour schedules and records.

`games` finds and loads the game folders of a clembench checkout with clemcore's loader; `model` makes
a parlour model a clemcore backend; `episode` plays one episode with clemcore's sequential runner (on a
worker thread) and scores it with the game's scorer; `run` plans, resumes and runs many episodes at
once through parlour's runner. Nothing of a game's logic is written here.
"""
