import egov_score_water

from egov_score.plugins.testing import check_plugin


def test_conforms():
    assert check_plugin(egov_score_water) == ["water"]
