# हिन्दी: साइट के शब्द। हर संदेश का अंग्रेज़ी रूप en.ftl में है (एक टेस्ट दोनों सूचियों की
# तुलना करता है)।

## हर पेज का ढाँचा
site-name = डिस्ट्रिक्ट
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
