"""Docs that cannot drift: the command and configuration references are checked against the code.

The way sqlite-utils does it: walk the click command tree and require every command and
option in `docs/commands.md`, and every documented command to exist; every key of the config
schema in `docs/configuration.md`, and every documented key to exist. Adding an option or a
key without documenting it fails here.
"""

from __future__ import annotations

import re

import click

from monitor.cli import cli
from monitor.config import SCHEMA, SCRAPY_KEYS
from tests.conftest import ROOT

DOCS = ROOT / "docs"
COMMANDS = DOCS / "commands.md"
CONFIGURATION = DOCS / "configuration.md"

HEADING = re.compile(r"^(#{1,6}) (.*)$", re.M)
COMMAND_HEADING = re.compile(r"^`(monitor(?: [a-z][a-z-]*)*)`$")
TABLE_HEADING = re.compile(r"^`\[\[?([a-z][a-z._]*)\]\]?`$")
CODE = re.compile(r"`([^`]+)`")


def sections(text: str) -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading of any level."""
    found = list(HEADING.finditer(text))
    return {m.group(2).strip(): text[m.end():found[i + 1].start() if i + 1 < len(found)
                                       else len(text)]
            for i, m in enumerate(found)}


def first_cells(section: str) -> list[str]:
    """The first cell of each row of the Markdown tables in a section (header rows left out)."""
    cells = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cell = re.split(r"(?<!\\)\|", line)[1].strip()
        cells.append(cell)
    return cells


def commands(group: click.Command, path: tuple[str, ...] = ("monitor",)):
    """(path, command) for the root and every subcommand that is not hidden."""
    yield " ".join(path), group
    if isinstance(group, click.Group):
        # the root loads its command modules lazily (monitor.cli.LazyGroup): ask for them all
        every = group.all_commands() if hasattr(group, "all_commands") else group.commands
        for name, command in sorted(every.items()):
            if not command.hidden:
                yield from commands(command, (*path, name))


def options_of(command: click.Command) -> set[str]:
    return {name for param in command.params if isinstance(param, click.Option)
            and not param.hidden for name in (*param.opts, *param.secondary_opts)}


def documented_commands(text: str) -> dict[str, str]:
    """Command path -> its section in the command reference."""
    found = {}
    for heading, body in sections(text).items():
        match = COMMAND_HEADING.match(heading)
        if match:
            found[match.group(1)] = body
    return found


def documented_options(section: str) -> set[str]:
    """The options an options table of a command's section names (`-m`, `--note NOTE`)."""
    names = set()
    for cell in first_cells(section):
        for span in CODE.findall(cell):
            word = span.split()[0]
            if word.startswith("-"):
                names.add(word)
    return names


def usage_line(section: str) -> str:
    spans = [line for line in section.strip().splitlines() if line.strip()]
    return spans[0] if spans else ""


def command_reference_problems(root: click.Command, text: str) -> list[str]:
    """Every difference between the click tree and the command reference, one line each."""
    docs = documented_commands(text)
    problems = []
    tree = dict(commands(root))
    for path, command in tree.items():
        if path not in docs:
            problems.append(f"command `{path}` is not documented")
            continue
        section = docs[path]
        written = documented_options(section)
        for option in sorted(options_of(command) - written):
            problems.append(f"`{path}`: option {option} is not documented")
        for option in sorted(written - options_of(command)):
            problems.append(f"`{path}`: documents {option}, which the command does not have")
        usage = usage_line(section)
        if not usage.startswith(f"`{path}"):
            problems.append(f"`{path}`: the section does not start with its usage line")
        for argument in command.params:
            if isinstance(argument, click.Argument) and (
                    argument.human_readable_name not in usage):
                problems.append(f"`{path}`: argument {argument.human_readable_name} is not "
                                "in the usage line")
    for path in sorted(set(docs) - set(tree)):
        problems.append(f"`{path}` is documented but there is no such command")
    return problems


def test_every_command_and_option_is_documented_and_nothing_else():
    problems = command_reference_problems(cli, COMMANDS.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_the_command_check_fails_on_an_undocumented_option_or_command():
    text = COMMANDS.read_text(encoding="utf-8")
    without_dry_run = "\n".join(line for line in text.splitlines()
                                if not line.startswith("| `--dry-run`"))
    assert command_reference_problems(cli, without_dry_run) == [
        "`monitor publish`: option --dry-run is not documented"]

    @click.command("obsolete")
    def obsolete() -> None:
        """A command nobody documented."""

    group = click.Group("monitor", commands={**cli.all_commands(), "obsolete": obsolete},
                        params=cli.params)
    assert command_reference_problems(group, text) == ["command `monitor obsolete` is not "
                                                       "documented"]
    stale = text + "\n### `monitor frobnicate`\n\n`monitor frobnicate`\n"
    assert command_reference_problems(cli, stale) == [
        "`monitor frobnicate` is documented but there is no such command"]


def test_the_command_check_reads_aliases_and_arguments():
    docs = documented_commands(COMMANDS.read_text(encoding="utf-8"))
    assert documented_options(docs["monitor drafts approve"]) == {"--as", "-m", "--note",
                                                                  "--version"}
    assert "DRAFT_ID" in usage_line(docs["monitor drafts approve"])
    assert "monitor drafts dismiss-update" in docs


def documented_keys(text: str) -> dict[str, set[str]]:
    """Table name (`recipients`, `crawl.scrapy`) -> the keys its reference table lists."""
    found = {}
    for heading, body in sections(text).items():
        match = TABLE_HEADING.match(heading)
        if match:
            found[match.group(1)] = {CODE.findall(cell)[0] for cell in first_cells(body)
                                     if CODE.findall(cell)}
    return found


def configuration_problems(text: str) -> list[str]:
    docs = documented_keys(text)
    schema = {**{table: set(keys) for table, keys in SCHEMA.items()},
              "crawl.scrapy": set(SCRAPY_KEYS)}
    problems = []
    for table, keys in schema.items():
        written = docs.get(table)
        if written is None:
            problems.append(f"table [{table}] is not documented")
            continue
        problems += [f"[{table}] {key} is not documented" for key in sorted(keys - written)]
        problems += [f"[{table}] documents {key}, which the schema does not have"
                     for key in sorted(written - keys)]
    problems += [f"table [{table}] is documented but not in the schema"
                 for table in sorted(set(docs) - set(schema))]
    return problems


def test_every_config_key_is_documented_and_nothing_else():
    problems = configuration_problems(CONFIGURATION.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_the_configuration_check_fails_on_an_undocumented_key():
    text = CONFIGURATION.read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines()
                        if not line.startswith("| `session_hours`"))
    assert configuration_problems(without) == ["[review] session_hours is not documented"]
    assert set(documented_keys(text)) >= {"recipients", "crawl.scrapy", "firm"}


def test_readme_links_the_references_and_keeps_the_quick_start():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("commands.md", "configuration.md"):
        assert f"(docs/{name})" in readme
    assert "make demo" in readme and "make test" in readme
    assert "`.ci/run` runs exactly `make test`." in readme


def anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation but `-`, `_` dropped, `-` for spaces."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_relative_links_in_the_docs_point_at_files_and_headings_that_exist():
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        text = page.read_text("utf-8")
        for target, fragment in re.findall(r"\]\(([^)#:\s]*)(?:#([^)\s]*))?\)", text):
            path = page.parent / target if target else page
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif fragment and path.suffix == ".md" and fragment not in {
                    anchor(h) for h in sections(path.read_text("utf-8"))}:
                broken.append(f"{page.relative_to(ROOT)}: {target}#{fragment}")
    assert broken == []
    assert anchor("`[crawl.scrapy]`") == "crawlscrapy" and anchor("`monitor run`") == "monitor-run"
