# हिन्दी: साइट के शब्द। हर संदेश का अंग्रेज़ी रूप en.ftl में है (एक टेस्ट दोनों सूचियों की
# तुलना करता है)।

## हर पेज का ढाँचा
site-name = डिस्ट्रिक्ट
sms-phone-code = { $code } आपका डिस्ट्रिक्ट सत्यापन कोड है। यह { $minutes } मिनट में समाप्त हो जाएगा।
theater-distance = { $km } किमी
skip-to-content = सीधे सामग्री पर जाएँ
nav-main = मुख्य
nav-home = डिस्ट्रिक्ट, होम
nav-movies = फ़िल्में
nav-theaters = थिएटर
nav-search = खोजें
nav-sign-in = साइन इन
nav-dashboard = डैशबोर्ड
nav-my-bookings = मेरी बुकिंग
nav-account = खाता
footer-about = डिस्ट्रिक्ट: पूरे भारत में फ़िल्म टिकट।
footer-prices = जहाँ दिखाए गए हैं, दामों में कर शामिल हैं। समय थिएटर के स्थानीय समय में हैं।
language-name = हिन्दी
language-switch-label = यह पेज अंग्रेज़ी में पढ़ें

## होम पेज
home-loading = फ़िल्में लोड हो रही हैं…
home-title = { $city } में फ़िल्में · डिस्ट्रिक्ट
home-description = { $city } में चल रही फ़िल्में: शो चुनें, अपनी सीटें चुनें और डिस्ट्रिक्ट पर टिकट बुक करें।
home-now-showing = { $city } में अभी चल रही फ़िल्में
home-trending = { $city } में लोकप्रिय
home-coming-soon = जल्द आ रही हैं
home-all-movies = दिखाई जा रही सभी फ़िल्में
home-no-shows = कोई शो तय नहीं है
home-no-match = इन फ़िल्टरों से कुछ नहीं मिला। ज़्यादा देखने के लिए कोई फ़िल्टर हटाएँ।
home-nothing-here = इस शहर में अभी कुछ नहीं चल रहा। कोई और शहर चुनें।
home-movie-count = { $count ->
    [one] 1 फ़िल्म
   *[other] { $count } फ़िल्में
}
filters = फ़िल्टर
filter-language = भाषा
filter-genre = शैली
filter-format = फ़ॉर्मैट
filter-all = सभी
filter-apply = लागू करें

## जो पेज नहीं हैं
not-found-title = पेज नहीं मिला · डिस्ट्रिक्ट
not-found-heading = पेज नहीं मिला
not-found-text = इस पते पर कुछ नहीं है।
not-found-browse = फ़िल्में देखें

## कई पेजों के हिस्से
city-label = शहर
city-show = फ़िल्में दिखाएँ
movie-poster = { $title } का पोस्टर
movie-certificate = प्रमाणपत्र

## तारीख़ और समय (i18n/format.rs)
weekday-1 = सोम
weekday-2 = मंगल
weekday-3 = बुध
weekday-4 = गुरु
weekday-5 = शुक्र
weekday-6 = शनि
weekday-7 = रवि
month-1 = जन॰
month-2 = फ़र॰
month-3 = मार्च
month-4 = अप्रैल
month-5 = मई
month-6 = जून
month-7 = जुल॰
month-8 = अग॰
month-9 = सित॰
month-10 = अक्तू॰
month-11 = नव॰
month-12 = दिस॰
month-long-1 = जनवरी
month-long-2 = फ़रवरी
month-long-3 = मार्च
month-long-4 = अप्रैल
month-long-5 = मई
month-long-6 = जून
month-long-7 = जुलाई
month-long-8 = अगस्त
month-long-9 = सितंबर
month-long-10 = अक्तूबर
month-long-11 = नवंबर
month-long-12 = दिसंबर
time-am = { $time } पूर्वाह्न
time-pm = { $time } अपराह्न
runtime = { $hours } घं { $minutes } मि
runtime-hours = { $hours } घं
runtime-minutes = { $minutes } मि
date-today = आज

## फ़िल्म का पेज
movie-loading = फ़िल्म लोड हो रही है…
movie-title = { $title } · { $city } में शो · डिस्ट्रिक्ट
movie-rating = ★ { $rating }/10 · { $count } रेटिंग
movie-not-rated = अभी कोई रेटिंग नहीं
movie-released = रिलीज़: { $date }
movie-showtimes = { $city } में शो
movie-trailer-link = ट्रेलर देखें
movie-trailer-play = ▶ ट्रेलर चलाएँ
movie-trailer = ट्रेलर
movie-dates = तारीख़ें
movie-no-shows = इस शहर में अभी कोई शो नहीं
movie-no-shows-hint = होम पेज से कोई और शहर चुनें, या कुछ समय बाद फिर देखें।
movie-no-shows-left = इस दिन अब कोई शो नहीं
movie-no-shows-left-hint = कोई और तारीख़ चुनें।
movie-reviews = समीक्षाएँ
movie-no-reviews = अभी कोई समीक्षा नहीं
movie-no-reviews-hint = फ़िल्म देख ली? पहली समीक्षा आप लिखें।
movie-review-verified = ✓ डिस्ट्रिक्ट पर बुक किया
showtime-sold-out = बिक चुका
showtime-almost-full = लगभग भरा
showtime-filling-fast = तेज़ी से भर रहा
showtime-available = उपलब्ध
showtime-from = { $price } से
showtime-label = { $time } { $format } { $language }, { $price } से, { $note }

## शो का सीट नक्शा
seats-loading = सीटों का नक्शा लोड हो रहा है…
seats-title = सीटें चुनें · { $title } · डिस्ट्रिक्ट
seats-description = { $theater } में { $title } के लिए अपनी सीटें लाइव सीट मैप पर चुनें, श्रेणी के अनुसार कीमतों के साथ।
queue-title = कतार में · डिस्ट्रिक्ट
queue-heading = आप इस शो की कतार में हैं
queue-lead = इस शो के लिए अभी बहुत लोग बुक कर रहे हैं, इसलिए हम उन्हें आने के क्रम में सीटें चुनने देते हैं।
queue-position = कतार में आपकी जगह: { $position }
queue-wait = लगभग { $seconds } सेकंड बाकी।
queue-refresh = यह पेज अपने आप अपडेट होता है; इसे खुला रखें। इसे छोड़ने से आपकी जगह नहीं जाती।
queue-admitted = आपकी बारी आ गई है। आपकी जगह { $minutes } मिनट तक आपकी रहेगी।
queue-choose = अपनी सीटें चुनें
queue-not-in-line = इस शो के लिए कोई कतार नहीं है: आप अभी अपनी सीटें चुन सकते हैं।
seats-holding = आपने { $seats } रोकी हुई हैं।
seats-continue = इन्हीं सीटों के साथ आगे बढ़ें
seats-or-change = { " " }— या नीचे चुनी सीटें बदलें और उन्हें रोकने के लिए आगे बढ़ें।
seats-wheelchair = मैं व्हीलचेयर इस्तेमाल करता/करती हूँ और मुझे व्हीलचेयर की जगह चाहिए
seats-choose = अपनी सीटें चुनें, फिर आगे बढ़ें।
seats-none = अभी कोई सीट नहीं चुनी।
seats-chosen = { $count ->
    [one] 1 सीट · { $total }
   *[other] { $count } सीटें · { $total }
}
seats-not-on-sale = बिक्री बंद है
seats-holding-now = रोकी जा रही हैं…
seats-proceed = आगे बढ़ें
seats-sign-in = बुक करने के लिए साइन इन करें
seats-no-block = इतनी सीटें एक साथ ख़ाली नहीं हैं।
seats-count = सीटें
seats-category = श्रेणी
seats-any = कोई भी
seats-suggest = सबसे अच्छी सीटें सुझाएँ
seats-screen = परदा इस तरफ़ है
seats-legend = संकेत और दाम
seats-available = ख़ाली
seats-yours = आपकी पसंद
seats-taken = भर चुकी
seats-wheelchair-space = व्हीलचेयर की जगह
seats-most = एक बार में ज़्यादा से ज़्यादा { $count } सीटें बुक की जा सकती हैं।
seats-lost = माफ़ कीजिए, { $seats } अभी किसी और ने ले ली। कृपया फिर से चुनें।
seat-label = पंक्ति { $row } सीट { $number }, { $category }, { $price }
seat-wheelchair = , व्हीलचेयर की जगह
seat-companion = , साथी की सीट
seat-available = ख़ाली
seat-unavailable = उपलब्ध नहीं
rupees-spoken = { $amount } रुपये

## बुकिंग का पेज, और मेरी बुकिंग
booking-loading = आपकी बुकिंग लोड हो रही है…
booking-title = { $heading } · { $title } · डिस्ट्रिक्ट
booking-description = { $theater } में { $title } के लिए आपकी बुकिंग: सीटें, कीमत और टिकट।
booking-held = आपकी सीटें रोकी गई हैं
booking-confirmed = बुकिंग पक्की हो गई
booking-cancelled = बुकिंग रद्द हो गई
booking-expired = यह होल्ड समाप्त हो गया
booking-release = सीटें छोड़ें
booking-cancel = बुकिंग रद्द करें
booking-lapsed = होल्ड का समय ख़त्म हो गया और सीटें छोड़ दी गईं।
booking-pick-again = फिर से सीटें चुनें
booking-ran-out = आपके होल्ड का समय ख़त्म हो गया है और सीटें किसी और को मिल सकती हैं।
booking-held-for = सीटें अगले { $time } के लिए आपके नाम पर रोकी गई हैं। पक्का करने के लिए समय ख़त्म होने से पहले भुगतान करें।
booking-seats = सीटें
booking-tickets = टिकट ({ $count })
booking-fee = सुविधा शुल्क
booking-fee-gst = सुविधा शुल्क पर GST
booking-food-gst = खाने-पीने पर GST
booking-discount = ऑफ़र की छूट
booking-total = कुल
booking-code = बुकिंग कोड
booking-refund-due = बकाया रिफ़ंड
booking-collect = अपने बुकिंग कोड के साथ फ़ूड काउंटर से लें: { $items }
booking-all = मेरी सारी बुकिंग
booking-status-held = रोकी गई
booking-status-confirmed = पक्की
booking-status-cancelled = रद्द
booking-status-expired = समाप्त
bookings-title = मेरी बुकिंग · डिस्ट्रिक्ट
bookings-loading = आपकी बुकिंग लोड हो रही हैं…
bookings-upcoming = आने वाली
bookings-upcoming-none = कोई आने वाली बुकिंग नहीं। होम पेज पर कोई फ़िल्म ढूँढें।
bookings-past = पिछली
bookings-past-none = डिस्ट्रिक्ट के साथ अभी कोई फ़िल्म नहीं देखी।
bookings-ended = रद्द और समाप्त
bookings-ended-none = कुछ रद्द नहीं हुआ।
bookings-empty = यहाँ कुछ नहीं

## भुगतान
pay-amount = { $amount } चुकाएँ
pay-panel = भुगतान
pay-with = भुगतान का तरीक़ा
gateway-stripe = कार्ड (Stripe)
gateway-razorpay = UPI, कार्ड और वॉलेट (Razorpay)
gateway-sandbox = सैंडबॉक्स टेस्ट भुगतान
pay-pending = आपका भुगतान हो रहा है। यह पेज अपने-आप अपडेट होता है।
pay-declined = गेटवे ने इसे अस्वीकार कर दिया।
pay-try-again = आप फिर से कोशिश कर सकते हैं।
pay-failed = भुगतान नहीं हो सका: { $reason }
pay-cancelled = भुगतान पूरा नहीं हुआ।
pay-not-confirmed = आपके भुगतान से यह बुकिंग पक्की नहीं हो सकी: { $refund }
pay-paid = { $amount } का भुगतान हो गया।
pay-continue = भुगतान पर लौटें
refunds = रिफ़ंड
refund-paid = { $amount } लौटा दिए गए हैं।
refund-failed = { $amount } अपने-आप नहीं लौटाए जा सके; हमारी टीम आपसे संपर्क करेगी।
refund-on-its-way = { $amount } आपको लौटाए जा रहे हैं।
checkout-title = भुगतान · डिस्ट्रिक्ट
checkout-loading = भुगतान का पेज लोड हो रहा है…
checkout-description = फ़िल्म के टिकट
checkout-needs-js = यहाँ कार्ड से भुगतान के लिए JavaScript चाहिए।
checkout-back = अपनी बुकिंग पर लौटें
checkout-unreachable = पेमेंट गेटवे से संपर्क नहीं हो सका। कृपया थोड़ी देर बाद फिर कोशिश करें।
sandbox-title = सैंडबॉक्स भुगतान · डिस्ट्रिक्ट
sandbox-made = यह भुगतान हो चुका है।
sandbox-card = कार्ड नंबर
sandbox-decline = अस्वीकार करें
sandbox-test-cards = टेस्ट कार्ड
sandbox-card-pays = { $card } से भुगतान हो जाता है
sandbox-card-declined = { $card } अस्वीकार होता है
sandbox-card-delayed = { $card } से भुगतान, { $seconds } सेकंड बाद पक्का
sandbox-test-mode = सैंडबॉक्स गेटवे · टेस्ट मोड
sandbox-for-booking = डिस्ट्रिक्ट: बुकिंग { $code }
sandbox-for-food = डिस्ट्रिक्ट: बुकिंग { $code } के लिए खाना-पीना

## ई-टिकट
ticket = ई-टिकट
ticket-qr = बुकिंग { $code } के टिकट का QR कोड
ticket-show = प्रवेश पर यह कोड दिखाएँ।
ticket-pdf = टिकट डाउनलोड करें (PDF)
ticket-qr-image = QR कोड की तस्वीर
ticket-apple-wallet = Apple Wallet में जोड़ें
ticket-google-wallet = Google Wallet में सहेजें

# The Apple Wallet pass's labels (Wallet shows the phone's language).
pass-description = फ़िल्म टिकट: { $movie }
pass-movie = फ़िल्म
pass-seats = सीटें
pass-screen = स्क्रीन
pass-showtime = शो का समय
pass-format = फ़ॉर्मैट
pass-theater = थिएटर
pass-code = बुकिंग कोड

# The ticket PDF: its standard fonts have Latin letters only, so it is always written from
# the English catalogue (the Hindi ones are kept in step all the same).
pdf-heading = डिस्ट्रिक्ट  ई-टिकट
pdf-seats = सीटें: { $seats }
pdf-tickets = टिकट
pdf-fee-with-gst = GST सहित सुविधा शुल्क
pdf-food-with-gst = GST सहित खाना-पीना
pdf-entrance = प्रवेश पर यह कोड दिखाएँ। केवल इसी शो के लिए मान्य।
pdf-food = फ़ूड काउंटर पर: { $items }
pdf-title = डिस्ट्रिक्ट टिकट { $code }

## बुकिंग पर ऑफ़र और खाना
remove = हटाएँ
offers = ऑफ़र
offer-code = ऑफ़र कोड
offer-final = इस ऑफ़र वाली बुकिंग रद्द नहीं की जा सकती।
offer-remove-code = ऑफ़र { $code } हटाएँ
offer-saved = { $amount } की छूट
offer-confirm-free = बुकिंग पक्की करें (कुछ नहीं चुकाना)
food = खाना-पीना
food-veg = शाकाहारी
food-non-veg = मांसाहारी
food-add = खाना-पीना जोड़ें
food-collect = अपने बुकिंग कोड के साथ काउंटर से लें।
food-how-many = कितने { $item }
food-set = तय करें
food-price = { $price } + { $percent }% GST
food-left = { $count } बचे
food-order = खाना-पीना मँगाएँ
food-order-note = इसका भुगतान अलग से होगा। अपने बुकिंग कोड के साथ काउंटर से लें।
food-order-pay = मँगाएँ और चुकाएँ
food-gone = { $count } × { $item } (अब नहीं बिकता)
food-remove = { $item } हटाएँ

## खाते: साइन इन, खाता बनाना, पुष्टि, पासवर्ड, प्रोफ़ाइल
signin-title = साइन इन · डिस्ट्रिक्ट
account-email = ईमेल
account-password = पासवर्ड
signup-title = अपना खाता बनाएँ · डिस्ट्रिक्ट
signup-heading = अपना खाता बनाएँ
account-name = नाम
account-phone-optional = फ़ोन (वैकल्पिक)
account-phone-hint = SMS से बुकिंग की जानकारी के लिए।
signup-submit = खाता बनाएँ
verify-title = अपना ईमेल पक्का करें · डिस्ट्रिक्ट
verify-heading = अपना ईमेल पक्का करें
verify-submit = मेरा ईमेल पक्का करें
verify-incomplete = यह लिंक अधूरा है। ईमेल वाला लिंक फिर से खोलें।
forgot-title = अपना पासवर्ड बदलें · डिस्ट्रिक्ट
forgot-heading = अपना पासवर्ड बदलें
forgot-submit = लिंक भेजें
reset-title = नया पासवर्ड चुनें · डिस्ट्रिक्ट
reset-heading = नया पासवर्ड चुनें
reset-password = नया पासवर्ड
reset-submit = पासवर्ड बदलें
account-password-hint = कम से कम 8 अक्षर, और आपका ईमेल पता नहीं।
account-title = आपका खाता · डिस्ट्रिक्ट
account-loading = आपका खाता लोड हो रहा है…
account-heading = आपका खाता
account-phone = फ़ोन
account-current-password = मौजूदा पासवर्ड
account-current-password-hint = सिर्फ़ ईमेल बदलने के लिए ज़रूरी।
account-save = बदलाव सहेजें
channels-heading = हम आपसे कैसे संपर्क करें
channels-save = संपर्क का तरीक़ा सहेजें
signin-reset-done = आपका पासवर्ड बदल गया है। नए पासवर्ड से साइन इन करें।
signin-forgot = पासवर्ड भूल गए?
signin-new = डिस्ट्रिक्ट पर नए हैं?
signin-create = खाता बनाएँ
signup-have-account = पहले से खाता है?
verify-done = आपका ईमेल पता पक्का हो गया। धन्यवाद!
verify-go = अपने खाते पर जाएँ
verify-ask = पक्का करें कि यह ईमेल पता आपका है।
forgot-ask = नया पासवर्ड चुनने का लिंक हम आपको ईमेल करेंगे।
forgot-sent = अगर कोई खाता इस पते का इस्तेमाल करता है, तो पासवर्ड बदलने का लिंक भेज दिया गया है।
forgot-back = साइन इन पर लौटें
account-welcome = डिस्ट्रिक्ट में आपका स्वागत है! अपना पता पक्का करने का लिंक हमने ईमेल कर दिया है।
account-saved = आपके बदलाव सहेज लिए गए।
account-call-off = रद्द करें
account-sign-out = साइन आउट
channels-about = आपकी बुकिंग के बारे में: पुष्टि, रिफ़ंड, रद्द हुए शो। पासवर्ड और साइन-इन की मेल हमेशा ईमेल से आती है।
account-verified = ✓ पक्का
account-not-verified = ! अभी पक्का नहीं
account-pending-email = हमने { $email } पर पुष्टि का लिंक भेजा है। उसे खोलते ही आपका पता बदल जाएगा।
account-phone-verified = पक्का।
account-phone-optional-hint = वैकल्पिक।
channels-sms-no-phone = पहले ऊपर नंबर जोड़ें।
channels-sms-unverified = नंबर पक्का होने के बाद भेजे जाएँगे।
channels-sms-verified = आपके पक्के नंबर पर।
channels-email-hint = आपके ई-टिकट के साथ।
channels-sms = SMS संदेश
channels-push = पुश सूचनाएँ
channels-push-hint = उन डिवाइसों पर जहाँ आप डिस्ट्रिक्ट ऐप इस्तेमाल करते हैं।
form-wait = कृपया रुकें…
error-heading = कुछ गड़बड़ हो गई

## खोज
search-title = फ़िल्में खोजें · डिस्ट्रिक्ट
search-description = नाम, शैली या भाषा से फ़िल्में खोजें और डिस्ट्रिक्ट पर टिकट बुक करें।
search-heading = फ़िल्में खोजें
search-field = नाम, शैली या भाषा
search-loading = खोज रहे हैं…
search-start = कोई फ़िल्म ढूँढें
search-start-hint = कोई नाम, कॉमेडी जैसी शैली, या तमिल जैसी भाषा लिखें।
search-none = कोई फ़िल्म नहीं मिली
search-none-hint = वर्तनी जाँचें, या कोई शैली या भाषा आज़माएँ।

## बुकिंग की मेल (notify/events.rs) और हर मेल का ढाँचा (notify/letter.rs)
mail-verify-subject = डिस्ट्रिक्ट के लिए अपना ईमेल पुष्ट करें
mail-verify = यह लिंक खोलकर डिस्ट्रिक्ट के लिए अपना ईमेल पता पुष्ट करें (यह एक बार, { $hours } घंटे तक काम करता है)।
mail-verify-link = अपना ईमेल पुष्ट करें
mail-reset-subject = अपना डिस्ट्रिक्ट पासवर्ड रीसेट करें
mail-reset = किसी ने आपके डिस्ट्रिक्ट खाते का पासवर्ड रीसेट करने को कहा है। इस लिंक से नया पासवर्ड चुनें (यह एक बार, { $minutes } मिनट तक काम करता है)।
mail-reset-not-you = अगर यह आप नहीं थे, तो इस ईमेल को अनदेखा करें: आपका पासवर्ड वैसा ही रहेगा।
mail-reset-link = नया पासवर्ड चुनें
mail-email-change-subject = आपका डिस्ट्रिक्ट ईमेल पता बदल रहा है
mail-email-change = आपके डिस्ट्रिक्ट खाते में साइन इन किसी व्यक्ति ने इसका ईमेल पता { $email } करने को कहा है। बदलाव तभी होगा जब वहाँ भेजा गया लिंक खोला जाएगा।
mail-email-change-not-you = अगर यह आप थे, तो कुछ करने की ज़रूरत नहीं। अगर नहीं, तो अपने खाते के पेज पर इसे रोकें और अपना पासवर्ड बदलें।
mail-your-account = आपका खाता
mail-hello = नमस्ते { $name },
mail-or-open = या खोलें: { $url }
mail-footer = डिस्ट्रिक्ट: फ़िल्म टिकट
mail-your-booking = आपकी बुकिंग
mail-confirmed-subject = बुकिंग पक्की: { $movie } ({ $code })
mail-confirmed = आपकी बुकिंग { $code } पक्की हो गई है: { $movie }, { $when }, { $place } में।
mail-confirmed-paid = सीटें { $seats }। भुगतान { $amount }{ $saved }।
mail-saved = , { $amount } की छूट के साथ ({ $codes })
mail-food-collect = फ़ूड काउंटर से लेना है: { $items }।
mail-confirmed-qr = प्रवेश पर यह QR कोड दिखाएँ; आपका ई-टिकट बुकिंग के पेज पर भी है।
mail-qr-alt = ई-टिकट { $code }
mail-food-subject = खाना-पीना मँगाया गया: { $movie } ({ $code })
mail-food-paid = आपकी बुकिंग { $code } के साथ खाने-पीने के लिए { $amount } का भुगतान हो गया: { $movie }, { $when }, { $place } में।
mail-waitlist-subject = आपके लिए सीटें रोकी गई हैं: { $movie }
mail-waitlist = { $movie }, { $when }, { $place } में सीटें ख़ाली हुईं और प्रतीक्षा सूची में अगला नंबर आपका है: सीटें { $seats } आपके लिए रोकी गई हैं। होल्ड का समय ख़त्म होने से पहले बुकिंग के पेज से भुगतान करें, या उन्हें अगले व्यक्ति के लिए छोड़ दें।
mail-expired-subject = आपकी सीटें छोड़ दी गईं: { $movie }
mail-expired = { $movie }, { $when }, { $place } के लिए सीटें { $seats } का होल्ड भुगतान से पहले ख़त्म हो गया, इसलिए वे फिर से बिक्री पर हैं। अगर आप अब भी जाना चाहते हैं तो फिर से सीटें चुनें।
mail-cancelled-subject = बुकिंग रद्द: { $movie } ({ $code })
mail-cancelled = { $movie }, { $when } के लिए आपकी बुकिंग { $code } रद्द हो गई है।
mail-called-off-subject = शो रद्द: { $movie } ({ $code })
mail-called-off = { $theater } ने { $when } का { $movie } शो रद्द कर दिया है। आपकी बुकिंग { $code } रद्द हो गई है।
mail-called-off-held = आपकी रोकी गई सीटें छोड़ दी गईं; अगर उनका कोई भुगतान फिर भी हो जाता है, तो वह पूरा लौटा दिया जाएगा।
mail-payment-failed-subject = बुकिंग { $code } का भुगतान नहीं हुआ
mail-payment-failed = { $movie } (बुकिंग { $code }) के लिए आपका भुगतान नहीं हो सका ({ $reason })। होल्ड का समय ख़त्म होने तक आपकी सीटें रुकी रहेंगी: आप बुकिंग के पेज से फिर कोशिश कर सकते हैं।
mail-food-payment-failed = { $movie } (बुकिंग { $code }) के लिए खाने-पीने का आपका भुगतान नहीं हो सका ({ $reason })। आपके टिकटों पर कोई असर नहीं: आप बुकिंग के पेज से फिर से मँगा सकते हैं।
mail-refund-due-subject = बुकिंग { $code } का रिफ़ंड आ रहा है
mail-refund-due = आपके भुगतान से बुकिंग { $code } ({ $movie }) पक्की नहीं हो सकी, इसलिए { $amount } आपको लौटाए जा रहे हैं। आपको और कुछ नहीं करना है।
mail-refunded-subject = बुकिंग { $code } का रिफ़ंड हो गया
mail-refunded = बुकिंग { $code } ({ $movie }) के { $amount } आपके भुगतान के तरीक़े में लौटा दिए गए हैं।
mail-refund-none = रद्द करने की नीति के अनुसार कुछ नहीं लौटाया जाता।
mail-refund = { $amount } आपके भुगतान के तरीक़े में लौटाए जा रहे हैं; आपको और कुछ नहीं करना है।

## थिएटर
theaters-title = थिएटर · डिस्ट्रिक्ट
theaters-description = आपके पास के सिनेमा: पते, सुविधाएँ और आज के शो, डिस्ट्रिक्ट पर।
theaters-locate = मेरी जगह इस्तेमाल करें
theaters-loading = थिएटर ढूँढ रहे हैं…
theaters-in = { $city } के थिएटर
theaters-near = आपके पास के थिएटर
theaters-none = यहाँ कोई थिएटर नहीं
theaters-none-hint = होम पेज से कोई और शहर चुनें।
theaters-no-location = यह ब्राउज़र अपनी जगह नहीं बता सकता।
theaters-location-failed = आपकी जगह पता नहीं चल सकी; आपके शहर के थिएटर दिखा रहे हैं।
theater-loading = थिएटर लोड हो रहा है…
theater-title = { $name } · डिस्ट्रिक्ट
theater-description = { $name }, { $address } में आज के शो।
theater-screens = स्क्रीन
theater-screen = { $name }: { $seats } सीटें, { $formats }
theater-no-shows = आज और कोई शो नहीं
theater-no-shows-hint = आने वाले दिनों के लिए फ़िल्म का पेज देखें।

## प्रतीक्षा सूची
waitlist = प्रतीक्षा सूची
waitlist-sold-out = सब बिक गया। प्रतीक्षा सूची में शामिल हों
waitlist-how = सीटें ख़ाली होने पर सूची में अगले लोगों के नाम पर रोक दी जाती हैं, और उन्हें ईमेल और पुश से बताया जाता है।
waitlist-join = प्रतीक्षा सूची में शामिल हों
waitlist-places = प्रतीक्षा सूचियाँ
waitlist-position = कतार में नंबर { $position }
waitlist-offered = सीटें आपके लिए रोकी गई हैं: होल्ड ख़त्म होने से पहले भुगतान करें
waitlist-booked = प्रतीक्षा सूची से बुक हुई
waitlist-lapsed = आपके लिए रोकी गई सीटें छोड़ दी गईं
waitlist-left = कतार छोड़ दी
waitlist-wants = { $when } · { $seats } सीटें
waitlist-wants-category = { $when } · { $seats } सीटें, { $category }
waitlist-pay = सीटों का भुगतान करें
waitlist-leave = कतार छोड़ें

## Checking tickets in at the door

check-in-title = टिकट जाँचें · डिस्ट्रिक्ट
check-in-heading = टिकट जाँचें
check-in-code = टिकट कोड (स्कैन करें या चिपकाएँ)
check-in-submit = प्रवेश दें
check-in-admitted = प्रवेश दिया गया
check-in-used = { $date } को { $time } UTC पर पहले ही इस्तेमाल हो चुका है
check-in-valid = मान्य, अभी इस्तेमाल नहीं हुआ
check-in-booking = बुकिंग { $code } · सीटें { $seats }
