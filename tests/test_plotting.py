"""Chinese labels render with no missing glyphs, using only the bundled font."""
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

from crmstudy.indicators import capability_system, customer_value_system, performance_system
from crmstudy.plotting import FONT_FAMILY, font_path, save_figure, set_theme

CHINESE = "客户关系管理能力指数：洞察、价值、生命周期（净资产收益率≥0.7，α=0.05，χ²）"


def draw_everything(lang):
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [-1, 0, 2], label="调节效应 moderation")
    ax.set_title(CHINESE)
    ax.set_xlabel("环境动荡性 Environmental dynamism")
    ax.set_ylabel("−1 … 客户绩效")
    ax.set_xticks([1, 2, 3], ["低", "中", "高"])
    ax.legend(title="图例")
    fig.canvas.draw()
    for system in (capability_system(), performance_system(), customer_value_system()):
        for kind in ("tree", "sunburst"):
            system.plot(lang=lang, kind=kind).canvas.draw()


def glyph_warnings(func, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func(*args)
    return [str(w.message) for w in caught if "Glyph" in str(w.message) and "missing" in str(w.message)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_missing_glyphs_with_the_theme(lang):
    set_theme(lang=lang)
    assert glyph_warnings(draw_everything, lang) == []


def test_the_check_can_fail_without_the_theme():
    # Without crmstudy's theme, DejaVu Sans alone lacks Chinese glyphs and matplotlib warns:
    # this is what the test above would catch.
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        def draw():
            fig, ax = plt.subplots()
            ax.set_title("客户")
            fig.canvas.draw()
        assert glyph_warnings(draw)


def test_bundled_font_is_used_and_licensed():
    from matplotlib import font_manager

    set_theme("zh")
    found = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.sans-serif"][0]),
                                  fallback_to_default=False)
    assert found == str(font_path())
    assert matplotlib.rcParams["font.sans-serif"][0] == FONT_FAMILY
    licence = (font_path().parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert font_path().stat().st_size < 5_000_000


def test_save_figure_is_deterministic_and_atomic(tmp_path):
    set_theme("zh")
    fig = capability_system().plot("zh")
    first = save_figure(fig, tmp_path / "a")
    second = save_figure(fig, tmp_path / "b")
    assert [p.suffix for p in first] == [".png", ".svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a.svg", "b.png", "b.svg"]


def test_overview_figures_render():
    from crmstudy import datasets
    from crmstudy.plotting.overview import framework_figure, likert_shares, monthly_activity

    set_theme("zh")
    survey = datasets.load("crm_survey")
    system = capability_system()

    def draw():
        framework_figure("zh").canvas.draw()
        framework_figure("en").canvas.draw()
        likert_shares(survey[system.leaves()], labels=system.labels("zh", True)).canvas.draw()
        monthly_activity(datasets.load("cdnow_sample"), "customer_id", "date", "dollar_value").canvas.draw()
    assert glyph_warnings(draw) == []
