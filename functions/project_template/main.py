"""Entry point firebase-tools loads: the Manager places the bm_* functions in these globals."""

from functions import Manager

Manager.init(globals())
