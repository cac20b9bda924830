"""The review: panels of months, progress, awards and the data of report cards.

Records only: nothing here formats text for people (that is :mod:`egov_score.render`).
"""
