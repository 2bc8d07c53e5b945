"""marketing-campaigns (every 10 minutes): send the due ``marketing-campaigns`` (functions/marketing/campaigns/runner.py)."""


def main(manager, now):
    from functions.marketing.campaigns.runner import run

    return run(manager, now).dump()
