"""The declared uncertainty: checked when built, with the same words from Python and TOML."""

from __future__ import annotations

import pytest

import egov_score as eg
from egov_score.model.uncertainty import Uncertainty, UncertaintyError, WeightNoise

FRAMEWORK = """
levels = ["division", "district"]
[[field]]
code = "a"
level = "district"
[[indicator]]
code = "x"
field = "a"
parent = "index"
[[group]]
code = "index"
"""


def test_defaults_vary_nothing():
    un = Uncertainty()
    assert (un.seed, un.runs, un.interval, un.top_k, un.bottom_k) == (0, 1000, (0.05, 0.95), 3, 3)
    assert un.robust_share == 0.6
    assert un.choices == ()


def test_choices_are_in_declared_order():
    un = Uncertainty(
        treatment=True,
        normalisation=("minmax",),
        weights=WeightNoise(kind="dirichlet", concentration=50),
        imputation=True,
        aggregation=("arithmetic", "geometric"),
    )
    assert un.choices == ("weights", "normalisation", "aggregation", "imputation", "treatment")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"runs": 0}, "uncertainty runs must be a whole number >= 1; got 0"),
        ({"seed": -1}, "uncertainty seed must be a whole number >= 0; got -1"),
        ({"interval": (0.9, 0.1)}, "0 <= low < high <= 1; got (0.9, 0.1)"),
        ({"top_k": 0}, "uncertainty top_k must be a whole number >= 1; got 0"),
        ({"robust_share": 0}, "uncertainty robust_share must be a number in (0, 1]; got 0"),
        ({"normalisation": ("minmax", "minmax")}, "name each method once; got 'minmax' twice"),
        ({"imputation": "yes"}, "uncertainty imputation must be true or false; got 'yes'"),
    ],
)
def test_python_and_toml_say_the_same(write, kwargs, words):
    with pytest.raises(UncertaintyError) as python:
        Uncertainty(**kwargs)
    assert words in str(python.value)
    key, value = next(iter(kwargs.items()))
    toml = {tuple: lambda v: str(list(v)).replace("'", '"'), str: lambda v: f'"{v}"'}
    shown = toml.get(type(value), lambda v: str(v).lower())(value)
    path = write("fw.toml", FRAMEWORK + f"[uncertainty]\n{key} = {shown}\n")
    with pytest.raises(eg.FrameworkError) as from_toml:
        eg.Framework.from_toml(path)
    message = str(from_toml.value)
    assert message.startswith(str(python.value) + f" ({path}, line 12, [uncertainty], key")


def test_weight_noise_rules():
    with pytest.raises(UncertaintyError, match=r"share must be a number in \[0, 1\]; got 1.5"):
        WeightNoise(kind="share", share=1.5)
    with pytest.raises(UncertaintyError, match="concentration must be a number > 0; got 0"):
        WeightNoise(kind="dirichlet", concentration=0)
    with pytest.raises(UncertaintyError, match="got 'dirichlett'; did you mean 'dirichlet'"):
        WeightNoise(kind="dirichlett")


def test_framework_table_is_read(write):
    path = write(
        "fw.toml",
        FRAMEWORK
        + """
[uncertainty]
seed = 7
runs = 200
interval = [0.1, 0.9]
weights = {kind = "share", share = 0.25}
normalisation = ["minmax", "zscore"]
aggregation = ["arithmetic", "geometric"]
imputation = true
""",
    )
    fw = eg.Framework.from_toml(path)
    assert fw.uncertainty == Uncertainty(
        seed=7,
        runs=200,
        interval=(0.1, 0.9),
        weights=WeightNoise(kind="share", share=0.25),
        normalisation=("minmax", "zscore"),
        aggregation=("arithmetic", "geometric"),
        imputation=True,
    )
    # it changes no score: the framework's digest and equality ignore it
    plain = eg.Framework.from_toml(write("plain.toml", FRAMEWORK))
    assert plain == fw
    assert plain.digest() == fw.digest()


def test_unknown_method_names_the_closest_and_the_line(write):
    path = write("fw.toml", FRAMEWORK + '[uncertainty]\nnormalisation = ["minmax", "zscor"]\n')
    with pytest.raises(eg.FrameworkError, match="got 'zscor'; did you mean 'zscore'") as err:
        eg.Framework.from_toml(path)
    assert "line 12" in str(err.value)
    assert "item 2" in str(err.value)


def test_unknown_key_and_weights_kind(write):
    path = write("fw.toml", FRAMEWORK + "[uncertainty]\nrun = 5\n")
    with pytest.raises(eg.FrameworkError, match="got unknown \\['run'\\]; did you mean 'runs'"):
        eg.Framework.from_toml(path)
    path = write("fw.toml", FRAMEWORK + '[uncertainty]\nweights = {kind = "uniform"}\n')
    with pytest.raises(eg.FrameworkError, match="kind must be one of \\['share', 'dirichlet'\\]"):
        eg.Framework.from_toml(path)
    path = write("fw.toml", FRAMEWORK + '[uncertainty]\nweights = {kind = "share", sd = 1}\n')
    with pytest.raises(eg.FrameworkError, match="got unknown \\['sd'\\]"):
        eg.Framework.from_toml(path)


def test_a_separate_file_with_or_without_the_table(write):
    alone = write("u.toml", 'seed = 3\nruns = 10\nweights = {kind = "dirichlet"}\n')
    un = Uncertainty.from_toml(alone)
    assert (un.seed, un.runs) == (3, 10)
    assert un.weights == WeightNoise(kind="dirichlet", concentration=50.0)
    table = write("t.toml", "[uncertainty]\ntreatment = true\n")
    assert Uncertainty.from_toml(table).choices == ("treatment",)
    bad = write("b.toml", "[uncertainty]\n\nruns = 2.5\n")
    with pytest.raises(UncertaintyError, match=r"got 2.5 \(.*b.toml, line 3"):
        Uncertainty.from_toml(bad)
