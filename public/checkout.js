// Opens a gateway's own checkout for the payment the page describes (Stripe Elements or
// Razorpay Checkout, loaded from the gateway just before this file). Without JavaScript the
// page says so and links back to the booking. Its words come from the page, in its language.
(function () {
  const box = document.querySelector('[data-testid="gateway-checkout"]');
  if (!box) return;
  const data = box.dataset;
  const button = document.getElementById("gateway-pay");
  const error = document.getElementById("gateway-error");
  const fail = (message) => {
    error.textContent = message;
    button.disabled = false;
  };
  if (data.provider === "stripe") {
    if (!window.Stripe) return fail(data.unreachable);
    const stripe = window.Stripe(data.key);
    const elements = stripe.elements({ clientSecret: data.clientSecret });
    elements.create("payment").mount("#payment-element");
    button.addEventListener("click", async () => {
      button.disabled = true;
      const returnUrl = location.origin + "/bookings/" + data.booking;
      const answer = await stripe.confirmPayment({ elements, confirmParams: { return_url: returnUrl } });
      if (answer.error) fail(answer.error.message);
    });
  } else if (data.provider === "razorpay") {
    if (!window.Razorpay) return fail(data.unreachable);
    button.addEventListener("click", () => {
      button.disabled = true;
      const checkout = new window.Razorpay({
        key: data.key,
        order_id: data.order,
        amount: Number(data.amount),
        currency: data.currency,
        name: data.merchant,
        description: data.description,
        // Our server checks the signature against the order it stored, then asks Razorpay.
        handler: (answer) => {
          const form = document.getElementById("razorpay-answer");
          form.elements.razorpay_payment_id.value = answer.razorpay_payment_id;
          form.elements.razorpay_signature.value = answer.razorpay_signature;
          form.submit();
        },
        modal: { ondismiss: () => (button.disabled = false) },
      });
      checkout.on("payment.failed", (failed) => fail(failed.error.description));
      checkout.open();
    });
  }
})();
