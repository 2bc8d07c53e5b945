"""marketing-prune (daily, acts on the 1st): re-engagement campaign, then removal of contacts inactive
for 6 months who never paid, logged per month (functions/marketing/prune.py)."""


def main(manager, now):
    from functions.marketing.prune import run_prune

    return run_prune(manager, now)
