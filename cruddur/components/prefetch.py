"""A page's code fetched before the person goes there.

Signing in ends on the home page. Its route module and the modules it imports (icons, the crud
card) used to be fetched only once the redirect arrived, one import level after the other:
40-100 ms of the press in a fresh browser (bench/bench_signin.py, "route change"). React
Router's `PrefetchPageLinks` puts `<link rel="modulepreload">` for all of them in the page, so
they load while the person types; the links render nothing a person sees or reaches."""

import reflex as rx


class PrefetchPageLinks(rx.Component):
    library = "react-router"
    tag = "PrefetchPageLinks"

    # The path of the page whose code to fetch.
    page: rx.Var[str]


def page_code_preloaded(path: str) -> rx.Component:
    return PrefetchPageLinks.create(page=path)
