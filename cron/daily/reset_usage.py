"""reset-usage (daily, 00:00 UTC): delete ``usage/*``; zero users' daily counters, and monthly on the 1st.

Only users with counters to zero are read and each is written once (functions/usage/reset.py);
BEM-written counters (``requests`` and every product limit metric) are covered too.
"""


def main(db, now, config):
    from functions.usage.reset import reset_metrics, reset_usage

    return reset_usage(db, now, metrics=reset_metrics(config)).to_dict()
