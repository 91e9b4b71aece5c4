# English: the site's words. Every message here has its Hindi twin in hi.ftl (a test compares
# the two catalogues). Placeables in braces are filled in by the code.

## The frame of every page
site-name = District
skip-to-content = Skip to content
nav-main = Main
nav-home = District, home
nav-movies = Movies
nav-theaters = Theaters
nav-search = Search
nav-sign-in = Sign in
nav-dashboard = Dashboard
nav-my-bookings = My bookings
nav-account = Account
footer-about = District: movie tickets across India.
footer-prices = Prices include taxes where shown. Times are in the theater's local time.
# The language's own name: the switch shows the other language's.
language-name = English
language-switch-label = Read this page in Hindi

## The home page
home-loading = Loading movies…
home-title = Movies in { $city } · District
home-description = Movies now showing in { $city }: pick a show, choose your seats and book tickets on District.
home-now-showing = Now showing in { $city }
home-trending = Trending in { $city }
home-coming-soon = Coming soon
home-no-shows = No shows scheduled
home-no-match = Nothing matches these filters. Clear one to see more.
home-nothing-here = Nothing is playing in this city right now. Try another city.
home-movie-count = { $count ->
    [one] 1 movie
   *[other] { $count } movies
}
filters = Filters
filter-language = Language
filter-genre = Genre
filter-format = Format
filter-all = All
filter-apply = Apply

## Pages that are not there
not-found-title = Page not found · District
not-found-heading = Page not found
not-found-text = There is nothing at this address.
not-found-browse = Browse movies

## Pieces shared by pages
city-label = City
city-show = Show movies
movie-poster = Poster of { $title }
movie-certificate = Certificate
