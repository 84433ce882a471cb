import logging
import os
import sys
from collections import defaultdict

from .front_matter import empty_slug, known_keys, unknown_keys
from .link_checks import ContentFolder, is_unpublished_draft, link_problems, shown
from .links import line_of
from .places import is_inside, symlinks_leaving

logger = logging.getLogger(__name__)

_CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages",
)


def all_content(generators):
    for generator in generators:
        for name in _CONTENT_LISTS:
            yield from getattr(generator, name, [])


def static_files(generators) -> list:
    """The StaticGenerator's list, which is also `context["staticfiles"]`: what it will copy."""
    return next((generator.staticfiles for generator in generators if hasattr(generator, "staticfiles")), [])


class ContentProblems(RuntimeError):
    """Stops the build before anything is written; each problem was logged as an error."""

    reported = True  # the build driver prints the message as it is (see plugins/README.md)


def duplicate_outputs(generators) -> list[str]:
    """Two sources that would be written to one file: Pelican keeps one and only warns."""
    by_output = defaultdict(list)
    for content in all_content(generators):
        if content.save_as:
            by_output[content.save_as].append(os.path.relpath(content.source_path))
    return [
        f"duplicate slug: {', '.join(sorted(sources))} would all be written to {save_as}; "
        "give each a distinct Slug:"
        for save_as, sources in sorted(by_output.items())
        if len(sources) > 1
    ]


def _content_folder(generators, settings) -> ContentFolder:
    # What `{filename}` resolves through: posts and pages, and content a plugin registered there
    # (blog_series' description files, whose pages are the series pages).
    registered = generators[0].context.get("generated_content", {}).values() if generators else ()
    sources = {  # Pelican maps a source it failed to read to None
        os.path.abspath(content.source_path): content for content in registered if content and content.source_path
    }
    sources.update({os.path.abspath(content.source_path): content for content in all_content(generators)})
    return ContentFolder(
        root=os.path.abspath(settings["PATH"]),
        sources=sources,
        static_files={os.path.abspath(static.source_path) for static in static_files(generators)},
        intrasite_regex=settings["INTRASITE_LINK_REGEX"],
    )


def bad_links(generators, folder: ContentFolder, explained: list[str]) -> list[str]:
    """Links that leave the content folder, or name no file, draft or id this build has."""
    problems = []
    for content in all_content(generators):
        for problem in link_problems(content, folder):
            line = line_of(content.source_path, problem.link.written)
            where = os.path.relpath(content.source_path) + (f":{line}" if line else "")
            problems.append(f"{where}: {problem.message}")
            explained.append(problem.target)
    return list(dict.fromkeys(problems))  # one message for a link written twice


def symlinks_out_of_content(settings, folder: ContentFolder, explained: list[str]) -> list[str]:
    """Symbolic links in the folders Pelican reads that lead out of PATH: it would publish what they
    point to (a link to /etc in content/images copies /etc into the site)."""
    folders = [*settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"], *settings["STATIC_PATHS"]]
    problems = []
    for link, real in sorted(symlinks_leaving(folder.root, folders, settings["IGNORE_FILES"])):
        problems.append(
            f"{os.path.relpath(link)}: a symbolic link to {real}, outside {shown(folder.root)}/; the build "
            "would publish what it points to: move those files into the content folder or remove the link"
        )
        explained.append(link)
    return problems


def front_matter_problems(generators) -> list[str]:
    """Unknown keys are logged as warnings here; empty slugs are returned as errors."""
    settings = generators[0].settings if generators else {}
    # Pelican lists the plugins it loaded by module name once they are registered.
    plugins = [sys.modules[name] for name in settings.get("PLUGINS", []) if name in sys.modules]
    known = known_keys(plugins, settings)
    errors = []
    for content in all_content(generators):
        for warning in unknown_keys(content, known):
            logger.warning("%s", warning)
        problem = empty_slug(content)
        if problem:
            errors.append(problem)
    return errors


def stray_static_files(generators, folder: ContentFolder, output: str, explained: list[str]) -> list[str]:
    """The last guard before the copy: a static file from outside PATH, or to be written outside
    OUTPUT_PATH, that no other check has explained."""
    problems = []
    for static in static_files(generators):
        source = os.path.abspath(static.source_path)
        if any(is_inside(source, path) for path in explained):
            continue
        # get_url_setting, not .save_as: reading save_as would stop an {attach} from relocating it.
        destination = os.path.normpath(os.path.join(output, static.get_url_setting("save_as")))
        where = os.path.relpath(source)
        if not is_inside(os.path.realpath(source), folder.real_root) or not is_inside(source, folder.root):
            problems.append(f"{where}: outside {shown(folder.root)}/, yet the build would publish it; "
                            "STATIC_PATHS must name folders inside PATH")
        elif not is_inside(destination, output):
            problems.append(f"{where}: would be written outside {shown(output)}/ (to {destination})")
    return sorted(problems)


def unpublished_draft_files(generators, folder: ContentFolder, static_paths: list[str]) -> list:
    """Static files that only drafts left out of this build link to, found by no STATIC_PATHS folder:
    Pelican would still copy them (an {attach}ed figure of a draft, at the site's root)."""
    by_drafts, by_others = set(), set()
    for content in all_content(generators):
        linked = by_drafts if is_unpublished_draft(content) else by_others
        linked.update(target for link, target in folder.links_of(content) if link.marker in ("static", "attach"))
    static_folders = [os.path.normpath(os.path.join(folder.root, path)) for path in static_paths]

    def only_a_draft_brings_in(source: str) -> bool:
        return source in by_drafts - by_others and not any(is_inside(source, path) for path in static_folders)

    return [static for static in static_files(generators) if only_a_draft_brings_in(os.path.abspath(static.source_path))]


def check_content(generators) -> None:
    settings = generators[0].settings
    folder = _content_folder(generators, settings)
    explained: list[str] = []  # paths a problem names: the last guard stays quiet about them
    problems = (
        front_matter_problems(generators)
        + duplicate_outputs(generators)
        + bad_links(generators, folder, explained)
        + symlinks_out_of_content(settings, folder, explained)
    )
    problems += stray_static_files(generators, folder, os.path.abspath(settings["OUTPUT_PATH"]), explained)
    for problem in problems:
        logger.error("%s", problem)
    if problems:
        raise ContentProblems(f"{len(problems)} content problem(s), listed above; nothing was written")
    # Pelican's StaticGenerator copies what this list (also context["staticfiles"]) holds.
    withheld = {id(static) for static in unpublished_draft_files(generators, folder, settings["STATIC_PATHS"])}
    static_files(generators)[:] = [static for static in static_files(generators) if id(static) not in withheld]
