//! Sign-up, sign-in, email verification, password reset and the profile page.

use crate::account::{
    functions::{
        current_user, CancelEmailChange, ChooseNewPassword, ConfirmEmail, LogIn, LogOut,
        RequestPasswordReset, SaveChannels, SaveProfile, SignUp,
    },
    AccountError, Profile,
};
use crate::components::{
    form::{field_error, Field, FormCard, FormError, Notice, SubmitButton},
    status::{ErrorState, Loading},
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

const LINK: &str =
    "font-semibold text-indigo-700 underline underline-offset-2 hover:text-indigo-900";

/// The latest error of an action, for fields and banners.
fn errors<S>(action: ServerAction<S>) -> Signal<Option<AccountError>>
where
    S: server_fn::ServerFn<Error = AccountError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

fn query_flag(name: &'static str) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name).is_some()
}

fn query_value(name: &'static str) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.read().get(name))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let error = errors(action);
    let next = query_value("next");
    view! {
        <Title text="Sign in · District" />
        <FormCard title="Sign in">
            <Show when=query_flag("reset")>
                <Notice>"Your password has been changed. Sign in with the new one."</Notice>
            </Show>
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <input type="hidden" name="next" value=next />
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_error(error, "password") />
                <SubmitButton label="Sign in" pending=action.pending() />
            </ActionForm>
            <p class="text-sm text-slate-600">
                <a href="/forgot-password" class=LINK>"Forgot your password?"</a>
            </p>
            <p class="text-sm text-slate-600">
                "New to District? " <a href="/signup" class=LINK>"Create an account"</a>
            </p>
        </FormCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = errors(action);
    view! {
        <Title text="Create your account · District" />
        <FormCard title="Create your account">
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <Field label="Name" name="name" autocomplete="name" required=true error=field_error(error, "name") />
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <NewPasswordField label="Password" error />
                <Field
                    label="Phone (optional)"
                    name="phone"
                    kind="tel"
                    autocomplete="tel"
                    hint="For booking updates by SMS."
                    error=field_error(error, "phone")
                />
                <SubmitButton label="Create account" pending=action.pending() />
            </ActionForm>
            <p class="text-sm text-slate-600">
                "Already have an account? " <a href="/login" class=LINK>"Sign in"</a>
            </p>
        </FormCard>
    }
}

/// The landing page of the emailed link. Confirming takes a click (a POST), so mail scanners
/// that open links cannot use the token up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = ServerAction::<ConfirmEmail>::new();
    let error = errors(action);
    let token = query_value("token");
    let done = query_flag("done");
    view! {
        <Title text="Confirm your email · District" />
        <FormCard title="Confirm your email">
            {move || {
                if done() {
                    EitherOf3::A(view! {
                        <Notice>"Your email address is confirmed. Thank you!"</Notice>
                        <a href="/account" class=LINK>"Go to your account"</a>
                    })
                } else if let Some(token) = token.get() {
                    EitherOf3::B(view! {
                        <ActionForm action=action attr:class="flex flex-col gap-4">
                            <FormError error />
                            <input type="hidden" name="token" value=token />
                            <p class="text-slate-600">"Confirm that this email address is yours."</p>
                            <SubmitButton label="Confirm my email" pending=action.pending() />
                        </ActionForm>
                    })
                } else {
                    EitherOf3::C(view! { <ErrorState message="This link is incomplete. Open the link from the email again." /> })
                }
            }}
        </FormCard>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = errors(action);
    view! {
        <Title text="Reset your password · District" />
        <FormCard title="Reset your password">
            <Show
                when=query_flag("sent")
                fallback=move || {
                    view! {
                        <ActionForm action=action attr:class="flex flex-col gap-4">
                            <FormError error />
                            <p class="text-slate-600">"We will email you a link to choose a new password."</p>
                            <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                            <SubmitButton label="Send the link" pending=action.pending() />
                        </ActionForm>
                    }
                }
            >
                <Notice>"If an account uses this address, a link to reset the password is on its way."</Notice>
            </Show>
            <a href="/login" class=LINK>"Back to sign in"</a>
        </FormCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ChooseNewPassword>::new();
    let error = errors(action);
    let token = query_value("token");
    view! {
        <Title text="Choose a new password · District" />
        <FormCard title="Choose a new password">
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <input type="hidden" name="token" value=token />
                <NewPasswordField label="New password" error />
                <SubmitButton label="Change password" pending=action.pending() />
            </ActionForm>
        </FormCard>
    }
}

/// A password being chosen, with the rules it must meet.
#[component]
fn NewPasswordField(label: &'static str, error: Signal<Option<AccountError>>) -> impl IntoView {
    view! {
        <Field
            label=label
            name="password"
            kind="password"
            autocomplete="new-password"
            required=true
            hint="At least 8 characters, and not your email address."
            error=field_error(error, "password")
        />
    }
}

/// The signed-in user's profile; visitors are sent to sign in first.
#[component]
pub fn AccountPage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let cancel = ServerAction::<CancelEmailChange>::new();
    let channels = ServerAction::<SaveChannels>::new();
    let user = Resource::new(
        move || {
            (
                save.version().get(),
                cancel.version().get(),
                channels.version().get(),
            )
        },
        |_| current_user(),
    );
    let content = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(profile)) => EitherOf3::A(view! {
                    <ProfileView profile=profile.clone() save cancel />
                    <ChannelsForm profile channels />
                }),
                Ok(None) => EitherOf3::B(view! { <Redirect path="/login?next=%2Faccount" /> }),
                Err(err) => EitherOf3::C(view! { <ErrorState message=err.to_string() /> }),
            }
        })
    };
    view! {
        <Title text="Your account · District" />
        <Transition fallback=|| view! { <Loading label="Loading your account…" /> }>{content}</Transition>
    }
}

#[component]
fn ProfileView(
    profile: Profile,
    save: ServerAction<SaveProfile>,
    cancel: ServerAction<CancelEmailChange>,
) -> impl IntoView {
    let error = errors(save);
    let logout = ServerAction::<LogOut>::new();
    let verified = profile.email_verified;
    view! {
        <FormCard title="Your account">
            <Show when=query_flag("welcome")>
                <Notice>"Welcome to District! We have emailed you a link to confirm your address."</Notice>
            </Show>
            <Show when=query_flag("saved")>
                <Notice>"Your changes are saved."</Notice>
            </Show>
            <p class="flex flex-wrap items-center gap-2 text-sm text-slate-600">
                <span data-testid="account-email">{profile.email.clone()}</span>
                <span class=if verified {
                    "rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800"
                } else {
                    "rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800"
                }>{if verified { "✓ Verified" } else { "! Not verified yet" }}</span>
            </p>
            {profile.pending_email.clone().map(|pending| view! {
                <ActionForm action=cancel attr:class="flex flex-wrap items-center gap-2 text-sm text-slate-600">
                    <span>
                        "We sent a confirmation link to " <strong>{pending}</strong> ". Your address changes once you open it."
                    </span>
                    <button type="submit" class=LINK>"Call it off"</button>
                </ActionForm>
            })}
            <ActionForm action=save attr:class="flex flex-col gap-4">
                <FormError error />
                <Field label="Name" name="name" autocomplete="name" value=profile.name.clone() required=true error=field_error(error, "name") />
                <Field label="Email" name="email" kind="email" autocomplete="email" value=profile.email.clone() required=true error=field_error(error, "email") />
                <Field
                    label="Phone"
                    name="phone"
                    kind="tel"
                    autocomplete="tel"
                    value=profile.phone.clone().unwrap_or_default()
                    hint=if profile.phone_verified { "Verified." } else { "Optional." }
                    error=field_error(error, "phone")
                />
                <Field
                    label="Current password"
                    name="current_password"
                    kind="password"
                    autocomplete="current-password"
                    hint="Needed only to change your email."
                    error=field_error(error, "current_password")
                />
                <SubmitButton label="Save changes" pending=save.pending() />
            </ActionForm>
            <ActionForm action=logout>
                <button type="submit" class="w-full rounded-lg border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
                    "Sign out"
                </button>
            </ActionForm>
        </FormCard>
    }
}

/// How the user hears about their bookings: email, text messages, push to their devices.
#[component]
fn ChannelsForm(profile: Profile, channels: ServerAction<SaveChannels>) -> impl IntoView {
    let error = errors(channels);
    let notify = profile.notify;
    let texts_hint = match (&profile.phone, profile.phone_verified) {
        (None, _) => "Add a number above first.",
        (Some(_), false) => "Sent once your number is verified.",
        (Some(_), true) => "To your verified number.",
    };
    let choice = move |name: &'static str, label: &'static str, hint: &'static str, on: bool| {
        view! {
            <label class="flex items-start gap-3 text-sm text-slate-700">
                <input type="checkbox" name=name value="on" checked=on class="mt-0.5 h-4 w-4" />
                <span>
                    <span class="font-semibold">{label}</span>
                    <span class="block text-slate-500">{hint}</span>
                </span>
            </label>
        }
    };
    view! {
        <FormCard title="How we reach you">
            <ActionForm action=channels attr:class="flex flex-col gap-4">
                <FormError error />
                <p class="text-sm text-slate-600">"About your bookings: confirmations, refunds, shows called off. Password and sign-in mail always comes by email."</p>
                {choice("email", "Email", "With your e-ticket attached.", notify.email)}
                {choice("sms", "Text messages", texts_hint, notify.sms)}
                {choice("push", "Push notifications", "On the devices where you use the District app.", notify.push)}
                {move || field_error(error, "notify").get().map(|message| view! { <p class="text-sm text-rose-700" role="alert">{message}</p> })}
                <SubmitButton label="Save how we reach you" pending=channels.pending() />
            </ActionForm>
        </FormCard>
    }
}
