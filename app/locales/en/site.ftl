# English: the site's words. Every message here has its Hindi twin in hi.ftl (a test compares
# the two catalogues). Placeables in braces are filled in by the code.

## The frame of every page
site-name = District
sms-phone-code = { $code } is your District verification code. It expires in { $minutes } minutes.
theater-distance = { $km } km
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
home-all-movies = All movies showing
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

## Dates and times (i18n/format.rs)
weekday-1 = Mon
weekday-2 = Tue
weekday-3 = Wed
weekday-4 = Thu
weekday-5 = Fri
weekday-6 = Sat
weekday-7 = Sun
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
month-long-1 = January
month-long-2 = February
month-long-3 = March
month-long-4 = April
month-long-5 = May
month-long-6 = June
month-long-7 = July
month-long-8 = August
month-long-9 = September
month-long-10 = October
month-long-11 = November
month-long-12 = December
time-am = { $time } AM
time-pm = { $time } PM
runtime = { $hours }h { $minutes }m
runtime-hours = { $hours }h
runtime-minutes = { $minutes }m
date-today = Today

## A movie's page
movie-loading = Loading the movie…
movie-title = { $title } · Showtimes in { $city } · District
movie-rating = ★ { $rating }/10 · { $count ->
    [one] 1 rating
   *[other] { $count } ratings
}
movie-not-rated = Not rated yet
movie-released = Released { $date }
movie-showtimes = Showtimes in { $city }
movie-trailer-link = Watch the trailer
movie-trailer-play = ▶ Play trailer
movie-trailer = Trailer
movie-dates = Dates
movie-no-shows = No shows in this city yet
movie-no-shows-hint = Pick another city from the home page, or look again soon.
movie-no-shows-left = No more shows on this day
movie-no-shows-left-hint = Pick another date.
movie-reviews = Reviews
movie-no-reviews = No reviews yet
movie-no-reviews-hint = Seen it? Be the first to review it.
movie-review-verified = ✓ Booked on District
showtime-sold-out = Sold out
showtime-almost-full = Almost full
showtime-filling-fast = Filling fast
showtime-available = Available
showtime-from = from { $price }
showtime-label = { $time } { $format } { $language }, from { $price }, { $note }

## A show's seat map
seats-loading = Loading the seat map…
seats-title = Pick seats · { $title } · District
seats-description = Choose your seats for { $title } at { $theater } on a live seat map, with prices by category.
queue-title = In line · District
queue-heading = You are in line for this show
queue-lead = Many people are booking this show right now, so we let them choose seats in the order they arrived.
queue-position = Your place in line: { $position }
queue-wait = About { $seconds } seconds to go.
queue-refresh = This page updates itself; keep it open. Leaving it does not lose your place.
queue-admitted = It is your turn. Your place stays yours for { $minutes } minutes.
queue-choose = Choose your seats
queue-not-in-line = There is no line for this show: you can choose your seats now.
seats-holding = You are holding { $seats }.
seats-continue = Continue with these seats
seats-or-change = { " " }— or change the seats ticked below and Proceed to hold those instead.
seats-wheelchair = I use a wheelchair and need a wheelchair space
seats-choose = Choose your seats, then Proceed.
seats-none = No seats chosen yet.
seats-chosen = { $count ->
    [one] 1 seat · { $total }
   *[other] { $count } seats · { $total }
}
seats-not-on-sale = Not on sale
seats-holding-now = Holding…
seats-proceed = Proceed
seats-sign-in = Sign in to book
seats-no-block = No block of that many seats is free together.
seats-count = Seats
seats-category = Category
seats-any = Any
seats-suggest = Suggest best seats
seats-screen = Screen this way
seats-legend = Legend and prices
seats-available = Available
seats-yours = Your choice
seats-taken = Taken
seats-wheelchair-space = Wheelchair space
seats-most = You can book up to { $count } seats at a time.
seats-lost = { $count ->
    [one] Sorry, { $seats } was just taken by someone else. Please pick again.
   *[other] Sorry, { $seats } were just taken by someone else. Please pick again.
}
seat-label = Row { $row } seat { $number }, { $category }, { $price }
seat-wheelchair = , wheelchair space
seat-companion = , companion seat
seat-available = available
seat-unavailable = unavailable
rupees-spoken = { $amount } rupees

## A booking's page, and My bookings
booking-loading = Loading your booking…
booking-title = { $heading } · { $title } · District
booking-description = Your booking for { $title } at { $theater }: seats, price and ticket.
booking-held = Your seats are held
booking-confirmed = Booking confirmed
booking-cancelled = Booking cancelled
booking-expired = This hold has expired
booking-release = Release seats
booking-cancel = Cancel booking
booking-lapsed = The hold ran out and the seats were released.
booking-pick-again = Pick seats again
booking-ran-out = Your hold has run out and the seats may go to someone else.
booking-held-for = Seats held for you for { $time }. Pay before the time runs out to confirm them.
booking-seats = Seats
booking-tickets = Tickets ({ $count })
booking-fee = Convenience fee
booking-fee-gst = GST on convenience fee
booking-food-gst = GST on food and drinks
booking-discount = Offer discount
booking-total = Total
booking-code = Booking code
booking-refund-due = Refund due
booking-collect = Collect at the food counter with your booking code: { $items }
booking-all = All my bookings
booking-status-held = held
booking-status-confirmed = confirmed
booking-status-cancelled = cancelled
booking-status-expired = expired
bookings-title = My bookings · District
bookings-loading = Loading your bookings…
bookings-upcoming = Upcoming
bookings-upcoming-none = No upcoming bookings. Find a movie on the home page.
bookings-past = Past
bookings-past-none = Nothing watched with District yet.
bookings-ended = Cancelled and expired
bookings-ended-none = Nothing cancelled.
bookings-empty = Nothing here

## Paying
pay-amount = Pay { $amount }
pay-panel = Payment
pay-with = Pay with
gateway-stripe = Card (Stripe)
gateway-razorpay = UPI, cards and wallets (Razorpay)
gateway-sandbox = Sandbox test payment
pay-pending = Your payment is being processed. This page updates itself.
pay-declined = the gateway declined it.
pay-try-again = You can try again.
pay-failed = Payment failed: { $reason }
pay-cancelled = The payment was not completed.
pay-not-confirmed = We could not confirm this booking with your payment: { $refund }
pay-paid = Paid { $amount }.
pay-continue = Continue to payment
refunds = Refunds
refund-paid = { $amount } has been refunded.
refund-failed = { $amount } could not be refunded automatically; our team will contact you.
refund-on-its-way = { $amount } is on its way back to you.
checkout-title = Checkout · District
checkout-loading = Loading the checkout…
checkout-description = Movie tickets
checkout-needs-js = Paying by card here needs JavaScript.
checkout-back = Back to your booking
checkout-unreachable = The payment gateway could not be reached. Please try again shortly.
sandbox-title = Sandbox checkout · District
sandbox-made = This payment has been made.
sandbox-card = Card number
sandbox-decline = Decline
sandbox-test-cards = Test cards
sandbox-card-pays = { $card } pays
sandbox-card-declined = { $card } is declined
sandbox-card-delayed = { $card } pays, confirmed after { $seconds } s
sandbox-test-mode = Sandbox gateway · test mode
sandbox-for-booking = District: booking { $code }
sandbox-for-food = District: food and drinks for booking { $code }

## The e-ticket
ticket = E-ticket
ticket-qr = Ticket QR code for booking { $code }
ticket-show = Show this code at the entrance.
ticket-pdf = Download ticket (PDF)
ticket-qr-image = QR code image
ticket-apple-wallet = Add to Apple Wallet
ticket-google-wallet = Save to Google Wallet

# The Apple Wallet pass's labels (Wallet shows the phone's language).
pass-description = Movie ticket: { $movie }
pass-movie = MOVIE
pass-seats = SEATS
pass-screen = SCREEN
pass-showtime = SHOWTIME
pass-format = FORMAT
pass-theater = THEATER
pass-code = BOOKING CODE

# The ticket PDF: its standard fonts have Latin letters only, so it is always written from
# the English catalogue (the Hindi ones are kept in step all the same).
pdf-heading = DISTRICT  E-TICKET
pdf-seats = Seats: { $seats }
pdf-tickets = Tickets
pdf-fee-with-gst = Convenience fee with GST
pdf-food-with-gst = Food and drinks with GST
pdf-entrance = Show this code at the entrance. Valid for this show only.
pdf-food = At the food counter: { $items }
pdf-title = District ticket { $code }

## Offers and food on a booking
remove = Remove
offers = Offers
offer-code = Offer code
offer-final = Bookings with this offer cannot be cancelled.
offer-remove-code = Remove offer { $code }
offer-saved = { $amount } off
offer-confirm-free = Confirm booking (nothing to pay)
food = Food and drinks
food-veg = Veg
food-non-veg = Non-veg
food-add = Add food and drinks
food-collect = Collect them at the counter with your booking code.
food-how-many = How many { $item }
food-set = Set
food-price = { $price } + { $percent }% GST
food-left = { $count } left
food-order = Order food and drinks
food-order-note = Paid for on its own. Collect them at the counter with your booking code.
food-order-pay = Order and pay
food-gone = { $count } × { $item } (no longer sold)
food-remove = Remove { $item }

## Accounts: signing in and up, verification, passwords, the profile
signin-title = Sign in · District
account-email = Email
account-password = Password
signup-title = Create your account · District
signup-heading = Create your account
account-name = Name
account-phone-optional = Phone (optional)
account-phone-hint = For booking updates by SMS.
signup-submit = Create account
verify-title = Confirm your email · District
verify-heading = Confirm your email
verify-submit = Confirm my email
verify-incomplete = This link is incomplete. Open the link from the email again.
forgot-title = Reset your password · District
forgot-heading = Reset your password
forgot-submit = Send the link
reset-title = Choose a new password · District
reset-heading = Choose a new password
reset-password = New password
reset-submit = Change password
account-password-hint = At least 8 characters, and not your email address.
account-title = Your account · District
account-loading = Loading your account…
account-heading = Your account
account-phone = Phone
account-current-password = Current password
account-current-password-hint = Needed only to change your email.
account-save = Save changes
channels-heading = How we reach you
channels-save = Save how we reach you
signin-reset-done = Your password has been changed. Sign in with the new one.
signin-forgot = Forgot your password?
signin-new = New to District?
signin-create = Create an account
signup-have-account = Already have an account?
verify-done = Your email address is confirmed. Thank you!
verify-go = Go to your account
verify-ask = Confirm that this email address is yours.
forgot-ask = We will email you a link to choose a new password.
forgot-sent = If an account uses this address, a link to reset the password is on its way.
forgot-back = Back to sign in
account-welcome = Welcome to District! We have emailed you a link to confirm your address.
account-saved = Your changes are saved.
account-call-off = Call it off
account-sign-out = Sign out
channels-about = About your bookings: confirmations, refunds, shows called off. Password and sign-in mail always comes by email.
account-verified = ✓ Verified
account-not-verified = ! Not verified yet
account-pending-email = We sent a confirmation link to { $email }. Your address changes once you open it.
account-phone-verified = Verified.
account-phone-optional-hint = Optional.
channels-sms-no-phone = Add a number above first.
channels-sms-unverified = Sent once your number is verified.
channels-sms-verified = To your verified number.
channels-email-hint = With your e-ticket attached.
channels-sms = Text messages
channels-push = Push notifications
channels-push-hint = On the devices where you use the District app.
form-wait = Please wait…
error-heading = Something went wrong

## Search
search-title = Search movies · District
search-description = Search movies by title, genre or language and book tickets on District.
search-heading = Search movies
search-field = Title, genre or language
search-loading = Searching…
search-start = Find a movie
search-start-hint = Type a title, a genre like comedy, or a language like Tamil.
search-none = No movies found
search-none-hint = Check the spelling, or try a genre or a language.

## Mail about bookings (notify/events.rs) and every mail's frame (notify/letter.rs)
mail-verify-subject = Confirm your email for District
mail-verify = Confirm your email address for District by opening this link (it works once, for { $hours } hours).
mail-verify-link = Confirm your email
mail-reset-subject = Reset your District password
mail-reset = Someone asked to reset the password of your District account. Choose a new password with this link (it works once, for { $minutes } minutes).
mail-reset-not-you = If it was not you, ignore this email: your password stays as it is.
mail-reset-link = Choose a new password
mail-email-change-subject = Your District email address is changing
mail-email-change = Someone signed in to your District account asked to change its email address to { $email }. The change happens only when the link we sent there is opened.
mail-email-change-not-you = If it was you, there is nothing to do. If not, call it off on your account page and change your password.
mail-your-account = Your account
mail-hello = Hello { $name },
mail-or-open = Or open { $url }
mail-footer = District: movie tickets
mail-your-booking = Your booking
mail-confirmed-subject = Booking confirmed: { $movie } ({ $code })
mail-confirmed = Your booking { $code } is confirmed: { $movie }, { $when }, at { $place }.
mail-confirmed-paid = Seats { $seats }. Paid { $amount }{ $saved }.
mail-saved = , with { $amount } off ({ $codes })
mail-food-collect = To collect at the food counter: { $items }.
mail-confirmed-qr = Show this QR code at the entrance; your e-ticket is also on the booking's page.
mail-qr-alt = E-ticket { $code }
mail-food-subject = Food and drinks ordered: { $movie } ({ $code })
mail-food-paid = Paid { $amount } for food and drinks with your booking { $code }: { $movie }, { $when }, at { $place }.
mail-waitlist-subject = Seats held for you: { $movie }
mail-waitlist = Seats came free for { $movie }, { $when }, at { $place }, and you are next on the waiting list: seats { $seats } are held for you. Pay for them from the booking's page before the hold runs out, or release them for the next in line.
mail-expired-subject = Your seats were released: { $movie }
mail-expired = Your hold on seats { $seats } for { $movie }, { $when }, at { $place } ran out before it was paid for, so they are back on sale. Pick seats again if you still want to go.
mail-cancelled-subject = Booking cancelled: { $movie } ({ $code })
mail-cancelled = Your booking { $code } for { $movie }, { $when }, is cancelled.
mail-called-off-subject = Show called off: { $movie } ({ $code })
mail-called-off = { $theater } has called off { $movie } on { $when }. Your booking { $code } is cancelled.
mail-called-off-held = Your held seats were released; a payment for them that still goes through is refunded in full.
mail-payment-failed-subject = Payment failed for booking { $code }
mail-payment-failed = For { $movie } (booking { $code }), your payment did not go through ({ $reason }). Your seats stay held until the hold runs out: you can try again from the booking's page.
mail-food-payment-failed = For { $movie } (booking { $code }), your payment for food and drinks did not go through ({ $reason }). Your tickets are not affected: you can order again from the booking's page.
mail-refund-due-subject = Refund on its way for booking { $code }
mail-refund-due = We could not confirm booking { $code } for { $movie } with your payment, so { $amount } is being refunded to you. Nothing else is needed from you.
mail-refunded-subject = Refund paid for booking { $code }
mail-refunded = { $amount } for booking { $code } ({ $movie }) has been refunded to the way you paid.
mail-refund-none = Nothing is refunded under the cancellation policy.
mail-refund = { $amount } is being refunded to the way you paid; nothing else is needed from you.

## Theaters
theaters-title = Theaters · District
theaters-description = Cinemas near you: addresses, amenities and today's shows on District.
theaters-locate = Use my location
theaters-loading = Finding theaters…
theaters-in = Theaters in { $city }
theaters-near = Theaters near you
theaters-none = No theaters here
theaters-none-hint = Try another city from the home page.
theaters-no-location = This browser cannot share its location.
theaters-location-failed = We could not get your location; showing theaters in your city.
theater-loading = Loading the theater…
theater-title = { $name } · District
theater-description = Showtimes today at { $name }, { $address }.
theater-screens = Screens
theater-screen = { $name }: { $seats } seats, { $formats }
theater-no-shows = No more shows today
theater-no-shows-hint = Check a movie's page for the coming days.

## Waiting lists
waitlist = Waiting list
waitlist-sold-out = Sold out. Join the waiting list
waitlist-how = When seats come free, the next in line get them held in their name, and hear by email and push.
waitlist-join = Join the waiting list
waitlist-places = Waiting lists
waitlist-position = Number { $position } in line
waitlist-offered = Seats held for you: pay before the hold runs out
waitlist-booked = Booked from the waiting list
waitlist-lapsed = The seats held for you were released
waitlist-left = Left the line
waitlist-wants = { $when } · { $seats } seats
waitlist-wants-category = { $when } · { $seats } seats, { $category }
waitlist-pay = Pay for the seats
waitlist-leave = Leave the line

## Checking tickets in at the door

check-in-title = Check tickets in · District
check-in-heading = Check tickets in
check-in-code = Ticket code (scan or paste)
check-in-submit = Check in
check-in-admitted = Admitted
check-in-used = Already used at { $time } UTC on { $date }
check-in-valid = Valid, not used yet
check-in-booking = Booking { $code } · seats { $seats }
