//! Gateway webhooks read into one shape. Whichever gateway sent it, an event has the gateway's
//! own id (each is processed once), names a payment (by our id, or by the gateway's reference
//! we stored when creating it) and says what happened. Only the bodies are read here, after
//! their signatures were checked (`signature`); what an event changes is the payment service's.
//! Long: one reader per gateway, and the tests carry each gateway's bodies as sent.

use super::Gateway;
use crate::ids::PaymentId;
use serde::Deserialize;

/// How an event names its payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentRef {
    /// Our id (the sandbox's events, or Stripe's metadata).
    Ours(PaymentId),
    /// The gateway's reference for the payment: a PaymentIntent or an order.
    Gateway(String),
    /// A refund we asked for, by the gateway's refund id.
    Refund(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happened {
    /// The money was taken: `amount` minor units of `currency` (upper case, ISO 4217).
    Paid { amount: i64, currency: String },
    /// This attempt failed; the user may try again.
    Declined { reason: Option<String> },
    /// A refund went through.
    Refunded { amount: i64, currency: String },
    /// An event nothing here acts on: acknowledged, nothing changes.
    Ignored,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayEvent {
    pub gateway: Gateway,
    pub id: String,
    /// None for an event nothing here acts on.
    pub payment: Option<PaymentRef>,
    pub happened: Happened,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the event is not one this gateway sends: {0}")]
    Malformed(String),
}

impl From<serde_json::Error> for EventError {
    fn from(err: serde_json::Error) -> Self {
        EventError::Malformed(err.to_string())
    }
}

fn upper(currency: &str) -> String {
    currency.to_ascii_uppercase()
}

/// The envelope the sandbox and Stripe share: an event id, a type and the data.
#[derive(Deserialize)]
struct Envelope<D> {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: D,
}

/// The sandbox's events, exactly as it signs them.
pub fn sandbox(body: &[u8]) -> Result<GatewayEvent, EventError> {
    #[derive(Deserialize)]
    struct Data {
        payment_id: PaymentId,
        amount: i64,
        currency: String,
        /// Why a payment failed, when the sandbox says.
        reason: Option<String>,
    }
    let event: Envelope<Data> = serde_json::from_slice(body)?;
    let (amount, currency) = (event.data.amount, upper(&event.data.currency));
    let happened = match event.kind.as_str() {
        "payment.succeeded" => Happened::Paid { amount, currency },
        "payment.failed" => Happened::Declined {
            reason: event.data.reason,
        },
        "refund.succeeded" => Happened::Refunded { amount, currency },
        _ => Happened::Ignored,
    };
    Ok(GatewayEvent {
        gateway: Gateway::Sandbox,
        id: event.id,
        payment: (happened != Happened::Ignored).then_some(PaymentRef::Ours(event.data.payment_id)),
        happened,
    })
}

/// Stripe's events: `payment_intent.succeeded`, `payment_intent.payment_failed`,
/// `charge.refunded`. A PaymentIntent names our payment in its metadata.
pub fn stripe(body: &[u8]) -> Result<GatewayEvent, EventError> {
    #[derive(Deserialize)]
    struct Data {
        object: serde_json::Value,
    }
    #[derive(Deserialize)]
    struct Intent {
        id: String,
        amount: i64,
        amount_received: Option<i64>,
        currency: String,
        #[serde(default)]
        metadata: Metadata,
        last_payment_error: Option<Failure>,
    }
    #[derive(Deserialize, Default)]
    struct Metadata {
        payment_id: Option<String>,
    }
    #[derive(Deserialize)]
    struct Failure {
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct Charge {
        payment_intent: Option<String>,
        amount_refunded: i64,
        currency: String,
    }
    let event: Envelope<Data> = serde_json::from_slice(body)?;
    let (payment, happened) = match event.kind.as_str() {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            let intent: Intent = serde_json::from_value(event.data.object)?;
            let payment = match intent.metadata.payment_id.map(|id| id.parse::<PaymentId>()) {
                Some(Ok(ours)) => PaymentRef::Ours(ours),
                _ => PaymentRef::Gateway(intent.id),
            };
            let happened = if event.kind == "payment_intent.succeeded" {
                Happened::Paid {
                    amount: intent.amount_received.unwrap_or(intent.amount),
                    currency: upper(&intent.currency),
                }
            } else {
                Happened::Declined {
                    reason: intent.last_payment_error.and_then(|e| e.message),
                }
            };
            (Some(payment), happened)
        }
        "charge.refunded" => {
            let charge: Charge = serde_json::from_value(event.data.object)?;
            let intent = charge.payment_intent.ok_or_else(|| {
                EventError::Malformed("a refunded charge without its PaymentIntent".into())
            })?;
            let happened = Happened::Refunded {
                amount: charge.amount_refunded,
                currency: upper(&charge.currency),
            };
            (Some(PaymentRef::Gateway(intent)), happened)
        }
        _ => (None, Happened::Ignored),
    };
    Ok(GatewayEvent {
        gateway: Gateway::Stripe,
        id: event.id,
        payment,
        happened,
    })
}

/// Razorpay's events: `payment.captured`, `payment.failed` (naming the order we created) and
/// `refund.processed` (naming the refund we asked for). The event id travels in the
/// `X-Razorpay-Event-Id` header, not in the body.
pub fn razorpay(event_id: Option<&str>, body: &[u8]) -> Result<GatewayEvent, EventError> {
    #[derive(Deserialize)]
    struct Event {
        event: String,
        #[serde(default)]
        payload: Payload,
    }
    #[derive(Deserialize, Default)]
    struct Payload {
        payment: Option<Wrapped<Payment>>,
        refund: Option<Wrapped<Refund>>,
    }
    #[derive(Deserialize)]
    struct Wrapped<T> {
        entity: T,
    }
    #[derive(Deserialize)]
    struct Payment {
        order_id: Option<String>,
        amount: i64,
        currency: String,
        error_description: Option<String>,
    }
    #[derive(Deserialize)]
    struct Refund {
        id: String,
        amount: i64,
        currency: String,
    }
    let id = event_id
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| EventError::Malformed("no X-Razorpay-Event-Id".into()))?;
    let event: Event = serde_json::from_slice(body)?;
    let missing = |what: &str| EventError::Malformed(format!("{} without its {what}", event.event));
    let (payment, happened) = match event.event.as_str() {
        "payment.captured" | "payment.failed" => {
            let payment = event
                .payload
                .payment
                .ok_or_else(|| missing("payment"))?
                .entity;
            let order = payment.order_id.ok_or_else(|| missing("order"))?;
            let happened = if event.event == "payment.captured" {
                Happened::Paid {
                    amount: payment.amount,
                    currency: upper(&payment.currency),
                }
            } else {
                Happened::Declined {
                    reason: payment.error_description,
                }
            };
            (Some(PaymentRef::Gateway(order)), happened)
        }
        "refund.processed" => {
            let refund = event
                .payload
                .refund
                .ok_or_else(|| missing("refund"))?
                .entity;
            let happened = Happened::Refunded {
                amount: refund.amount,
                currency: upper(&refund.currency),
            };
            (Some(PaymentRef::Refund(refund.id)), happened)
        }
        _ => (None, Happened::Ignored),
    };
    Ok(GatewayEvent {
        gateway: Gateway::Razorpay,
        id: id.trim().to_owned(),
        payment,
        happened,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const OURS: &str = "0193a5b0-7c1e-7000-8000-00000000abcd";

    fn ours() -> Option<PaymentRef> {
        Some(PaymentRef::Ours(PaymentId(Uuid::parse_str(OURS).unwrap())))
    }

    fn sandbox_event(kind: &str) -> String {
        format!(
            r#"{{"id":"evt_sb_1","type":"{kind}","data":{{"payment_id":"{OURS}","amount":57080,"currency":"INR"}}}}"#
        )
    }

    #[test]
    fn gateways_are_named_as_in_their_webhook_paths() {
        for gateway in Gateway::ALL {
            assert_eq!(Gateway::parse(gateway.as_str()), Some(*gateway));
        }
        assert_eq!(Gateway::parse("paypal"), None);
    }

    #[test]
    fn sandbox_events_name_our_payment() {
        let paid = sandbox(sandbox_event("payment.succeeded").as_bytes()).unwrap();
        assert_eq!(paid.id, "evt_sb_1");
        assert_eq!(paid.payment, ours());
        assert_eq!(
            paid.happened,
            Happened::Paid {
                amount: 57080,
                currency: "INR".into()
            }
        );
        let failed = sandbox(sandbox_event("payment.failed").as_bytes()).unwrap();
        assert_eq!(failed.happened, Happened::Declined { reason: None });
        let refunded = sandbox(sandbox_event("refund.succeeded").as_bytes()).unwrap();
        assert_eq!(
            refunded.happened,
            Happened::Refunded {
                amount: 57080,
                currency: "INR".into()
            }
        );
        let other = sandbox(sandbox_event("payment.created").as_bytes()).unwrap();
        assert_eq!((other.payment, other.happened), (None, Happened::Ignored));
    }

    #[test]
    fn bodies_that_are_not_events_are_malformed() {
        let bad_id = sandbox_event("payment.succeeded").replace(OURS, "pay_1");
        for body in [
            "",
            "[]",
            r#"{"id":"evt_1","type":"payment.succeeded"}"#,
            bad_id.as_str(),
        ] {
            assert!(
                matches!(sandbox(body.as_bytes()), Err(EventError::Malformed(_))),
                "{body}"
            );
        }
    }

    /// A PaymentIntent event as Stripe sends it (fields we do not read left in).
    fn stripe_intent(kind: &str, metadata: &str, extra: &str) -> String {
        format!(
            r#"{{"id":"evt_3Nabc","object":"event","api_version":"2024-06-20","livemode":false,
               "type":"{kind}","data":{{"object":{{"id":"pi_3Nabc","object":"payment_intent",
               "amount":57080,"currency":"inr","status":"succeeded","metadata":{metadata}{extra}}}}}}}"#
        )
    }

    #[test]
    fn stripe_payment_intents_name_our_payment_through_their_metadata() {
        let with_ours = format!(r#"{{"payment_id":"{OURS}","booking_id":"b"}}"#);
        let body = stripe_intent(
            "payment_intent.succeeded",
            &with_ours,
            r#","amount_received":57080"#,
        );
        let paid = stripe(body.as_bytes()).unwrap();
        assert_eq!(
            (paid.gateway, paid.id.as_str()),
            (Gateway::Stripe, "evt_3Nabc")
        );
        assert_eq!(paid.payment, ours());
        assert_eq!(
            paid.happened,
            Happened::Paid {
                amount: 57080,
                currency: "INR".into()
            }
        );
        // Without our id (older shapes, a PaymentIntent made elsewhere): the intent's own id.
        let bare = stripe(stripe_intent("payment_intent.succeeded", "{}", "").as_bytes()).unwrap();
        assert_eq!(bare.payment, Some(PaymentRef::Gateway("pi_3Nabc".into())));
        let declined = stripe_intent(
            "payment_intent.payment_failed",
            &with_ours,
            r#","last_payment_error":{"code":"card_declined","message":"Your card was declined."}"#,
        );
        assert_eq!(
            stripe(declined.as_bytes()).unwrap().happened,
            Happened::Declined {
                reason: Some("Your card was declined.".into())
            }
        );
    }

    #[test]
    fn a_stripe_refund_names_its_payment_intent() {
        let body = r#"{"id":"evt_9","type":"charge.refunded","data":{"object":{"id":"ch_1",
            "object":"charge","amount":57080,"amount_refunded":28540,"currency":"inr",
            "payment_intent":"pi_3Nabc","refunds":{"data":[{"id":"re_1","amount":28540}]}}}}"#;
        let refunded = stripe(body.as_bytes()).unwrap();
        assert_eq!(
            refunded.payment,
            Some(PaymentRef::Gateway("pi_3Nabc".into()))
        );
        assert_eq!(
            refunded.happened,
            Happened::Refunded {
                amount: 28540,
                currency: "INR".into()
            }
        );
        let orphan = body.replace(r#""payment_intent":"pi_3Nabc","#, "");
        assert!(matches!(
            stripe(orphan.as_bytes()),
            Err(EventError::Malformed(_))
        ));
        let other = r#"{"id":"evt_2","type":"customer.created","data":{"object":{}}}"#;
        assert_eq!(
            stripe(other.as_bytes()).unwrap().happened,
            Happened::Ignored
        );
    }

    /// A payment event as Razorpay's documentation shows it.
    fn razorpay_payment(kind: &str, error: &str) -> String {
        format!(
            r#"{{"entity":"event","account_id":"acc_BFQ7uQEaa7j2z7","event":"{kind}",
               "contains":["payment"],"payload":{{"payment":{{"entity":{{"id":"pay_DESlfW9H8K9uqM",
               "entity":"payment","amount":57080,"currency":"INR","status":"captured",
               "order_id":"order_DESlLckIVRkHWj","method":"upi","captured":true,
               "error_code":null,"error_description":{error},"created_at":1567674599}}}}}},
               "created_at":1567674606}}"#
        )
    }

    #[test]
    fn razorpay_payments_name_our_order_and_refunds_our_refund() {
        let body = razorpay_payment("payment.captured", "null");
        let paid = razorpay(Some("evt_rzp_1"), body.as_bytes()).unwrap();
        assert_eq!(
            (paid.gateway, paid.id.as_str()),
            (Gateway::Razorpay, "evt_rzp_1")
        );
        assert_eq!(
            paid.payment,
            Some(PaymentRef::Gateway("order_DESlLckIVRkHWj".into()))
        );
        assert_eq!(
            paid.happened,
            Happened::Paid {
                amount: 57080,
                currency: "INR".into()
            }
        );
        let failed = razorpay_payment("payment.failed", r#""Payment was unsuccessful""#);
        assert_eq!(
            razorpay(Some("evt_rzp_2"), failed.as_bytes())
                .unwrap()
                .happened,
            Happened::Declined {
                reason: Some("Payment was unsuccessful".into())
            }
        );
        let refund = r#"{"entity":"event","event":"refund.processed","payload":{"refund":{"entity":
            {"id":"rfnd_FP8QHiV938haTz","entity":"refund","amount":57080,"currency":"INR",
            "payment_id":"pay_DESlfW9H8K9uqM","status":"processed"}}}}"#;
        let refunded = razorpay(Some("evt_rzp_3"), refund.as_bytes()).unwrap();
        assert_eq!(
            refunded.payment,
            Some(PaymentRef::Refund("rfnd_FP8QHiV938haTz".into()))
        );
        assert_eq!(
            refunded.happened,
            Happened::Refunded {
                amount: 57080,
                currency: "INR".into()
            }
        );
    }

    #[test]
    fn razorpay_events_need_their_id_and_their_entity() {
        let body = razorpay_payment("payment.captured", "null");
        for id in [None, Some(""), Some("  ")] {
            assert!(matches!(
                razorpay(id, body.as_bytes()),
                Err(EventError::Malformed(_))
            ));
        }
        let empty = r#"{"entity":"event","event":"payment.captured","payload":{}}"#;
        assert!(matches!(
            razorpay(Some("e"), empty.as_bytes()),
            Err(EventError::Malformed(_))
        ));
        let other = r#"{"entity":"event","event":"order.paid","payload":{}}"#;
        let ignored = razorpay(Some("e"), other.as_bytes()).unwrap();
        assert_eq!(
            (ignored.payment, ignored.happened),
            (None, Happened::Ignored)
        );
    }
}
