use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white">
            <nav
                aria-label="Main"
                class="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3"
            >
                <a
                    href="/"
                    class="flex items-center gap-2 rounded text-xl font-extrabold tracking-tight text-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                    <span
                        aria-hidden="true"
                        class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-sm text-white"
                    >
                        "D"
                    </span>
                    "District"
                </a>
                <ul class="flex items-center gap-4 text-sm font-medium text-slate-700">
                    <li>
                        <a href="/" class="rounded px-2 py-1 hover:text-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
                            "Movies"
                        </a>
                    </li>
                </ul>
            </nav>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="border-t border-slate-200 bg-white">
            <div class="mx-auto flex max-w-6xl flex-col gap-1 px-4 py-6 text-sm text-slate-500 sm:flex-row sm:justify-between">
                <p>"District: movie tickets across India."</p>
                <p>"Prices include taxes where shown. Times are in the theater's local time."</p>
            </div>
        </footer>
    }
}
