"""reset-usage (daily, 00:00 UTC): delete ``usage/*``; zero users' daily counters, and monthly on the 1st.

Only users with counters to zero are read and each is written once (functions/usage/reset.py).
"""


def main(db, now):
    from functions.usage.reset import reset_usage

    return reset_usage(db, now).to_dict()
