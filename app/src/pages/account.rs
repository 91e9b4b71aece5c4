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
use crate::i18n::{t, t_err, tr, tr_around, use_lang};
use crate::pages::data::resource;
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
        <Title text=t("signin-title") />
        <FormCard title=t("nav-sign-in")>
            <Show when=query_flag("reset")>
                <Notice>{t("signin-reset-done")}</Notice>
            </Show>
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <input type="hidden" name="next" value=next />
                <Field label=t("account-email") name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <Field label=t("account-password") name="password" kind="password" autocomplete="current-password" required=true error=field_error(error, "password") />
                <SubmitButton label=t("nav-sign-in") pending=action.pending() />
            </ActionForm>
            <p class="text-sm text-slate-600">
                <a href="/forgot-password" class=LINK>{t("signin-forgot")}</a>
            </p>
            <p class="text-sm text-slate-600">
                {t("signin-new")}" " <a href="/signup" class=LINK>{t("signin-create")}</a>
            </p>
        </FormCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = errors(action);
    view! {
        <Title text=t("signup-title") />
        <FormCard title=t("signup-heading")>
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <Field label=t("account-name") name="name" autocomplete="name" required=true error=field_error(error, "name") />
                <Field label=t("account-email") name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                <NewPasswordField label=t("account-password") error />
                <Field
                    label=t("account-phone-optional")
                    name="phone"
                    kind="tel"
                    autocomplete="tel"
                    hint=t("account-phone-hint")
                    error=field_error(error, "phone")
                />
                <SubmitButton label=t("signup-submit") pending=action.pending() />
            </ActionForm>
            <p class="text-sm text-slate-600">
                {t("signup-have-account")}" " <a href="/login" class=LINK>{t("nav-sign-in")}</a>
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
        <Title text=t("verify-title") />
        <FormCard title=t("verify-heading")>
            {move || {
                if done() {
                    EitherOf3::A(view! {
                        <Notice>{t("verify-done")}</Notice>
                        <a href="/account" class=LINK>{t("verify-go")}</a>
                    })
                } else if let Some(token) = token.get() {
                    EitherOf3::B(view! {
                        <ActionForm action=action attr:class="flex flex-col gap-4">
                            <FormError error />
                            <input type="hidden" name="token" value=token />
                            <p class="text-slate-600">{t("verify-ask")}</p>
                            <SubmitButton label=t("verify-submit") pending=action.pending() />
                        </ActionForm>
                    })
                } else {
                    EitherOf3::C(view! { <ErrorState message=t("verify-incomplete") /> })
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
        <Title text=t("forgot-title") />
        <FormCard title=t("forgot-heading")>
            <Show
                when=query_flag("sent")
                fallback=move || {
                    view! {
                        <ActionForm action=action attr:class="flex flex-col gap-4">
                            <FormError error />
                            <p class="text-slate-600">{t("forgot-ask")}</p>
                            <Field label=t("account-email") name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email") />
                            <SubmitButton label=t("forgot-submit") pending=action.pending() />
                        </ActionForm>
                    }
                }
            >
                <Notice>{t("forgot-sent")}</Notice>
            </Show>
            <a href="/login" class=LINK>{t("forgot-back")}</a>
        </FormCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ChooseNewPassword>::new();
    let error = errors(action);
    let token = query_value("token");
    view! {
        <Title text=t("reset-title") />
        <FormCard title=t("reset-heading")>
            <ActionForm action=action attr:class="flex flex-col gap-4">
                <FormError error />
                <input type="hidden" name="token" value=token />
                <NewPasswordField label=t("reset-password") error />
                <SubmitButton label=t("reset-submit") pending=action.pending() />
            </ActionForm>
        </FormCard>
    }
}

/// A password being chosen, with the rules it must meet.
#[component]
fn NewPasswordField(label: String, error: Signal<Option<AccountError>>) -> impl IntoView {
    view! {
        <Field
            label=label
            name="password"
            kind="password"
            autocomplete="new-password"
            required=true
            hint=t("account-password-hint")
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
    let user = resource(
        move || {
            (
                save.version().get(),
                cancel.version().get(),
                channels.version().get(),
            )
        },
        |_| current_user(),
    );
    let lang = use_lang();
    let content = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(profile)) => EitherOf3::A(view! {
                    <ProfileView profile=profile.clone() save cancel />
                    <ChannelsForm profile channels />
                }),
                Ok(None) => EitherOf3::B(view! { <Redirect path="/login?next=%2Faccount" /> }),
                Err(err) => EitherOf3::C(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    view! {
        <Title text=t("account-title") />
        <Transition fallback=move || view! { <Loading label=tr(lang, "account-loading") /> }>{content}</Transition>
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
    let (pending_before, pending_after) = tr_around(use_lang(), "account-pending-email", "email");
    view! {
        <FormCard title=t("account-heading")>
            <Show when=query_flag("welcome")>
                <Notice>{t("account-welcome")}</Notice>
            </Show>
            <Show when=query_flag("saved")>
                <Notice>{t("account-saved")}</Notice>
            </Show>
            <p class="flex flex-wrap items-center gap-2 text-sm text-slate-600">
                <span data-testid="account-email">{profile.email.clone()}</span>
                <span class=if verified {
                    "rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800"
                } else {
                    "rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800"
                }>{t(if verified { "account-verified" } else { "account-not-verified" })}</span>
            </p>
            {profile.pending_email.clone().map(|pending| view! {
                <ActionForm action=cancel attr:class="flex flex-wrap items-center gap-2 text-sm text-slate-600">
                    <span>
                        {pending_before}<strong>{pending}</strong>{pending_after}
                    </span>
                    <button type="submit" class=LINK>{t("account-call-off")}</button>
                </ActionForm>
            })}
            <ActionForm action=save attr:class="flex flex-col gap-4">
                <FormError error />
                <Field label=t("account-name") name="name" autocomplete="name" value=profile.name.clone() required=true error=field_error(error, "name") />
                <Field label=t("account-email") name="email" kind="email" autocomplete="email" value=profile.email.clone() required=true error=field_error(error, "email") />
                <Field
                    label=t("account-phone")
                    name="phone"
                    kind="tel"
                    autocomplete="tel"
                    value=profile.phone.clone().unwrap_or_default()
                    hint=t(if profile.phone_verified { "account-phone-verified" } else { "account-phone-optional-hint" })
                    error=field_error(error, "phone")
                />
                <Field
                    label=t("account-current-password")
                    name="current_password"
                    kind="password"
                    autocomplete="current-password"
                    hint=t("account-current-password-hint")
                    error=field_error(error, "current_password")
                />
                <SubmitButton label=t("account-save") pending=save.pending() />
            </ActionForm>
            <ActionForm action=logout>
                <button type="submit" class="w-full rounded-lg border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600">
                    {t("account-sign-out")}
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
    let texts_hint = t(match (&profile.phone, profile.phone_verified) {
        (None, _) => "channels-sms-no-phone",
        (Some(_), false) => "channels-sms-unverified",
        (Some(_), true) => "channels-sms-verified",
    });
    let choice = move |name: &'static str, label: String, hint: String, on: bool| {
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
        <FormCard title=t("channels-heading")>
            <ActionForm action=channels attr:class="flex flex-col gap-4">
                <FormError error />
                <p class="text-sm text-slate-600">{t("channels-about")}</p>
                {choice("email", t("account-email"), t("channels-email-hint"), notify.email)}
                {choice("sms", t("channels-sms"), texts_hint, notify.sms)}
                {choice("push", t("channels-push"), t("channels-push-hint"), notify.push)}
                {move || field_error(error, "notify").get().map(|message| view! { <p class="text-sm text-rose-700" role="alert">{message}</p> })}
                <SubmitButton label=t("channels-save") pending=channels.pending() />
            </ActionForm>
        </FormCard>
    }
}
