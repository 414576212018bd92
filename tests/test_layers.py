"""Layer specs: the shipped layers load, and every malformed file is named with its bad key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from geomap.errors import LayerSpecError, UsageError
from geomap.layers import LayerSpec, default_layers_dir, load_layers, parse_layer

GOOD = 'title = "Strikes"\n[where]\nlayer = ["incidents"]\n'


def write_layers(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


# -- the shipped layers -----------------------------------------------------------------------


def test_shipped_layers_load_in_their_order() -> None:
    specs = load_layers()
    assert [s.id for s in specs] == ["deployments", "incidents", "infrastructure", "countries"]
    assert [s.order for s in specs] == sorted(s.order for s in specs)
    assert all(Path(s.path).parent == default_layers_dir() for s in specs)


def test_shipped_deployments_draw_one_flow_layer_per_actor() -> None:
    spec = {s.id: s for s in load_layers()}["deployments"]
    assert (spec.source, spec.draw, spec.split_by) == ("flows", "flows", "actor")
    assert spec.title == "{actor} deployment"
    assert {"troops", "military_vehicles", "evidence", "source"} <= set(spec.popup)


def test_shipped_country_layer_draws_country_level_rows_as_shapes() -> None:
    spec = {s.id: s for s in load_layers()}["countries"]
    assert spec.draw == "shapes"
    assert dict(spec.where)["geo_precision"] == (3,)


def test_shipped_incidents_are_coloured_by_event_type_and_sized_by_counts() -> None:
    spec = {s.id: s for s in load_layers()}["incidents"]
    assert spec.style.color_by == "event_type"
    assert dict(spec.style.colors)["Riots"].startswith("#")
    assert spec.style.radius_by[0] == "fatalities"
    assert spec.style.radius[0] < spec.style.radius[1]
    assert dict(spec.where)["geo_precision"] == (1, 2)


def test_a_spec_is_frozen() -> None:
    spec = load_layers()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.title = "changed"  # type: ignore[misc]


# -- a new layer needs no Python --------------------------------------------------------------


def test_a_minimal_file_gets_its_id_from_the_file_name_and_defaults(tmp_path: Path) -> None:
    (spec,) = load_layers(write_layers(tmp_path / "layers", strikes=GOOD))
    assert spec == LayerSpec(
        id="strikes",
        title="Strikes",
        where=(("layer", ("incidents",)),),
        path=str(tmp_path / "layers" / "strikes.toml"),
    )


def test_layers_of_a_folder_come_sorted_by_order_then_id(tmp_path: Path) -> None:
    folder = write_layers(
        tmp_path / "layers",
        b='title = "B"\norder = 5\n',
        a='title = "A"\norder = 5\n',
        c='title = "C"\norder = 1\n',
    )
    assert [s.id for s in load_layers(folder)] == ["c", "a", "b"]


def test_other_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers", strikes=GOOD)
    (folder / "README.md").write_text("# notes\n", encoding="utf-8")
    (folder / "old.toml.bak").write_text("not toml at all [", encoding="utf-8")
    assert [s.id for s in load_layers(folder)] == ["strikes"]


# -- malformed specs --------------------------------------------------------------------------

MALFORMED = {
    "bad-toml": ('title = "Strikes\n', "line 1"),
    "unknown-key": ('title = "Strikes"\ncolour = "#ff0000"\n', "'colour'"),
    "unknown-style-key": ('title = "S"\n[style]\ncolour = "#ff0000"\n', "'style.colour'"),
    "colour-name": ('title = "S"\n[style]\ncolor = "red"\n', "'style.color'"),
    "short-colour": ('title = "S"\n[style]\ncolor = "#12345"\n', "'style.color'"),
    "bad-colour-per-value": (
        'title = "S"\n[style]\ncolor_by = "event_type"\n[style.colors]\nRiots = "#12"\n',
        "'style.colors.Riots'",
    ),
    "unknown-popup-column": ('title = "S"\npopup = ["evidance"]\n', "'popup'"),
    "unknown-where-column": ('title = "S"\n[where]\nkind = ["riot"]\n', "'where.kind'"),
    "unknown-colour-column": ('title = "S"\n[style]\ncolor_by = "type"\n', "'style.color_by'"),
    "flow-column-on-events": ('title = "S"\ntooltip = ["origin"]\n', "'tooltip'"),
    "radius-by-text": ('title = "S"\n[style]\nradius_by = ["location"]\n', "'style.radius_by'"),
    "radius-reversed": ('title = "S"\n[style]\nradius = [20, 5]\n', "'style.radius'"),
    "flows-drawn-as-points": ('title = "S"\nsource = "flows"\ndraw = "points"\n', "'draw'"),
    "events-drawn-as-flows": ('title = "S"\nsource = "events"\ndraw = "flows"\n', "'draw'"),
    "unknown-source": ('title = "S"\nsource = "tweets"\n', "'source'"),
    "unknown-draw": ('title = "S"\ndraw = "heatmap"\n', "'draw'"),
    "bad-id": ('id = "My Layer"\ntitle = "S"\n', "'id'"),
    "show-as-text": ('title = "S"\nshow = "yes"\n', "'show'"),
    "negative-order": ('title = "S"\norder = -1\n', "'order'"),
    "empty-title": ('title = "  "\n', "'title'"),
    "where-not-a-table": ('title = "S"\nwhere = "incidents"\n', "'where'"),
    "where-empty-list": ('title = "S"\n[where]\nlayer = []\n', "'where.layer'"),
    "popup-not-a-list": ('title = "S"\npopup = "evidence"\n', "'popup'"),
    "placeholder-without-split": ('title = "{actor} deployment"\n', "'title'"),
    "split-without-placeholder": (
        'title = "Deployments"\nsource = "flows"\ndraw = "flows"\nsplit_by = "actor"\n',
        "'title'",
    ),
    "unknown-split-column": (
        'title = "{army}"\nsource = "flows"\ndraw = "flows"\nsplit_by = "army"\n',
        "'split_by'",
    ),
}


@pytest.mark.parametrize(("text", "key"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_spec_names_its_file_and_key_in_one_line(
    tmp_path: Path, text: str, key: str
) -> None:
    folder = write_layers(tmp_path / "layers", good=GOOD, broken=text)
    with pytest.raises(LayerSpecError) as caught:
        load_layers(folder)
    message = str(caught.value)
    assert str(folder / "broken.toml") in message
    assert key in message
    assert "\n" not in message


def test_a_layer_error_is_a_usage_error() -> None:
    assert issubclass(LayerSpecError, UsageError)


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes('title = "Gr\xe8ves"\n'.encode("latin-1"))
    with pytest.raises(LayerSpecError, match=r"latin\.toml"):
        parse_layer(path)


def test_two_files_with_one_id_are_both_named(tmp_path: Path) -> None:
    folder = write_layers(
        tmp_path / "layers",
        first='id = "strikes"\ntitle = "A"\n',
        second='id = "strikes"\ntitle = "B"\n',
    )
    with pytest.raises(LayerSpecError) as caught:
        load_layers(folder)
    message = str(caught.value)
    assert str(folder / "first.toml") in message
    assert str(folder / "second.toml") in message
    assert "'id'" in message and "'strikes'" in message


def test_two_layers_with_one_title_are_refused_as_the_control_would_show_one(
    tmp_path: Path,
) -> None:
    folder = write_layers(tmp_path / "layers", first='title = "Strikes"\n', second=GOOD)
    with pytest.raises(LayerSpecError) as caught:
        load_layers(folder)
    message = str(caught.value)
    assert str(folder / "first.toml") in message and str(folder / "second.toml") in message
    assert "'title'" in message


def test_an_id_taken_from_a_bad_file_name_says_so(tmp_path: Path) -> None:
    folder = write_layers(tmp_path / "layers", **{"My Strikes": 'title = "S"\n'})
    with pytest.raises(LayerSpecError, match="file name gives 'My Strikes'"):
        load_layers(folder)


def test_an_empty_folder_is_refused_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "layers"
    folder.mkdir()
    with pytest.raises(LayerSpecError, match=r"no \*\.toml") as caught:
        load_layers(folder)
    assert str(folder) in str(caught.value)


def test_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(LayerSpecError, match="does not exist") as caught:
        load_layers(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(caught.value)
