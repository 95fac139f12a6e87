"""Finding a source's files on the local disk.

The listing is our own walk, not ``glob('**')``: glob follows symbolic links wherever they
point, so a link back up the tree (``loop -> ..``) lists the same files again and again,
and a link to ``/etc`` reads files outside the source.  The walk lists each real file once
(by device and inode), never follows a link out of the source's folder or into a folder it
has already visited, and counts the links it skipped so the run can say so.  Folder names
are matched literally: ``data [x]*?`` is a folder name, not a pattern.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter

from engine.config import Source
from engine.errors import ConfigError, Issue

DEFAULT_INCLUDE = {
    "json": ("**/*.json", "**/*.json.gz"),
    "csv": ("**/*.csv", "**/*.csv.gz"),
    "parquet": ("**/*.parquet",),
}


#: a folder's entries sort by name
_NAME = attrgetter("name")


def include_patterns(source: Source) -> tuple[str, ...]:
    return source.include or DEFAULT_INCLUDE[source.format]


@dataclass
class Walk:
    """What a walk of a source folder met besides its files."""

    #: links not followed: out of the source folder, into a folder already visited, dangling
    skipped_links: int = 0
    #: names of a file already listed (a hard link, or a link to a listed file)
    duplicates: int = 0
    #: folders that could not be read
    unreadable: list[str] = field(default_factory=list)

    def notes(self, source: str) -> list[str]:
        out = []
        if self.skipped_links:
            out.append(
                f"source '{source}': {self.skipped_links:,} symbolic link(s) not followed (a loop, a folder "
                "already listed, a link out of the source folder, or a dangling link)"
            )
        if self.duplicates:
            out.append(
                f"source '{source}': {self.duplicates:,} file name(s) skipped: the same file (device and "
                "inode) is listed once"
            )
        if self.unreadable:
            out.append(
                f"source '{source}': {len(self.unreadable):,} folder(s) could not be read (first: {self.unreadable[0]})"
            )
        return out


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def walk(
    root: str,
    report: Walk,
    wanted: Callable[[str], bool] = lambda key: True,
) -> Iterator[tuple[str, str, os.stat_result]]:
    """(key below ``root`` with ``/`` separators, path, stat) of every regular file whose key is ``wanted``.

    Real folders and files come first; links are followed only afterwards, and only when they
    point inside the source folder at something not listed yet, so a file reached both by its
    own name and through a link is listed under its own name.  Hidden files and folders (a
    leading dot) are left out, as glob leaves them out.
    """
    for key, path, st in _walk(root, report, wanted, True):
        assert st is not None
        yield key, path, st


def walk_names(root: str, wanted: Callable[[str], bool]) -> Iterator[str]:
    """The keys ``walk`` lists, without asking the file system about each file (a file's type and inode come
    with its folder's listing, its device is its folder's): what a plan needs to know which patterns match,
    at a sixth of the cost."""
    for key, _path, _st in _walk(root, Walk(), wanted, False):
        yield key


def _walk(
    root: str, report: Walk, wanted: Callable[[str], bool], stat_files: bool
) -> Iterator[tuple[str, str, os.stat_result | None]]:
    real_root = os.path.realpath(root)
    try:
        top = os.stat(real_root)
    except OSError:
        return
    # a source's path is absolute and normalized (variables.Renderer.path), so each entry's path is too;
    # abspath per file is then a tenth of the walk for nothing
    absolute = os.path.isabs(root) and os.path.normpath(root) == root
    visited = {(top.st_dev, top.st_ino)}
    seen_files: set[tuple[int, int]] = set()
    #: (folder, key prefix, the folder's device)
    stack: list[tuple[str, str, int]] = [(root, "", top.st_dev)]
    links: list[tuple[str, str]] = []
    while stack or links:
        if not stack:
            path, key = links.pop(0)
            try:
                target = os.path.realpath(path)
                st = os.stat(target) if _inside(target, real_root) else None
            except OSError:  # dangling
                st = None
            ident = (st.st_dev, st.st_ino) if st else None
            if st is None or ident in visited or ident in seen_files:
                report.skipped_links += 1
            elif stat_module.S_ISDIR(st.st_mode):
                visited.add((st.st_dev, st.st_ino))
                stack.append((path, key + "/", st.st_dev))
            elif stat_module.S_ISREG(st.st_mode) and wanted(key):
                seen_files.add((st.st_dev, st.st_ino))
                yield key, os.path.abspath(path), st
            continue
        folder, prefix, device = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=_NAME)
        except OSError:
            report.unreadable.append(folder)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            key = prefix + entry.name
            try:
                if entry.is_symlink():
                    links.append((entry.path, key))
                    continue
                if not stat_files and entry.is_file(follow_symlinks=False):
                    if wanted(key):
                        seen_files.add((device, entry.inode()))
                        yield key, entry.path if absolute else os.path.abspath(entry.path), None
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:  # vanished meanwhile
                continue
            ident = (st.st_dev, st.st_ino)
            if stat_module.S_ISDIR(st.st_mode):
                if ident not in visited:  # a bind mount of a folder already listed
                    visited.add(ident)
                    stack.append((entry.path, key + "/", st.st_dev))
            elif stat_module.S_ISREG(st.st_mode) and wanted(key):
                if ident in seen_files:
                    report.duplicates += 1
                    continue
                seen_files.add(ident)
                yield key, entry.path if absolute else os.path.abspath(entry.path), st


def local_globs(source: Source) -> list[str]:
    """Absolute glob patterns (the folder's own name escaped) that match at least one file; raise if none does.

    These are what a plan shows before listing; a run lists the files (``list_local``) and loads exactly
    those.  We fail early with a clear message when the folder is missing or nothing matches.
    """
    import glob

    from engine.sources.s3 import glob_regex, globs_matcher

    if not os.path.isdir(source.path):
        raise ConfigError([Issue(f"source folder not found: {source.path}", source.location)])
    pending = {p: glob_regex(p) for p in include_patterns(source)}
    matching: set[str] = set()
    # the walk yields only keys a pattern not yet matched would match: once `**/*.json` has its file, the
    # rest of the folder is asked only about `**/*.json.gz`, not tried against every pattern again
    wanted = [globs_matcher(tuple(pending))]
    for key in walk_names(source.path, lambda key: wanted[0](key)):
        for p, regex in list(pending.items()):
            if regex.match(key):
                matching.add(p)
                del pending[p]
        if not pending:
            break
        wanted[0] = globs_matcher(tuple(pending))
    if not matching:
        raise ConfigError(
            [Issue(f"no files in {source.path} match {', '.join(include_patterns(source))}", source.location)]
        )
    return [os.path.join(glob.escape(source.path), p) for p in include_patterns(source) if p in matching]


def list_local(source: Source, report: Walk) -> Iterator[tuple[str, str, os.stat_result]]:
    """(key, path, stat) of every file of a local source that an include pattern matches."""
    from engine.sources.s3 import globs_matcher

    if not os.path.isdir(source.path):
        raise ConfigError([Issue(f"source folder not found: {source.path}", source.location)])
    yield from walk(source.path, report, globs_matcher(include_patterns(source)))
