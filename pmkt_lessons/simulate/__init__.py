"""Simulated data with a known truth, for what no public data set can show.

Import from the topic modules, e.g.
``from pmkt_lessons.simulate.clicks import simulate_click_log``; nothing is
re-exported here.
"""
