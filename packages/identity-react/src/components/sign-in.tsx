/**
 * `<SignIn />`: e-mail/username and password, or a code sent by e-mail, or a password reset by
 * e-mail code. The form is its own small state machine over the SDK's `SignIn`:
 *
 *   credentials ──password──────────────────────────────▶ done
 *        ├──"Email me a code"──▶ emailCode ──code──────▶ done
 *        ├──"Text me a code"───▶ phoneCode ──code──────▶ done  (when the instance has phone codes)
 *        ├──"Email me a link"──▶ emailLink ──link opened anywhere──▶ done  (when it has magic links)
 *        └──"Forgot password?"─▶ resetCode ──code──▶ newPassword ──▶ done
 * An account with two-step verification passes `secondFactor` (TOTP, text or backup code)
 * before done. The page a magic link returns to shows `linkReturned` (what the link did) when it
 * is not signed in there.
 */
import { useState, type FormEvent } from "react";
import { unreachable } from "@tandem/shared";
import { useTandemContext } from "../context.js";
import type { SignInProps } from "../types.js";
import { elementProps } from "../theme.js";
import { Card, useAppearance } from "./card.js";
import { Alert, CodeForm, Field, LinkButton, NO_ERRORS, PrimaryButton, toFormErrors } from "./fields.js";
import { pickRedirect } from "./redirect.js";
import { SignUp } from "./sign-up.js";
import { useFormFlow } from "./use-form-flow.js";
import type { SecondFactorStrategy } from "@tandem/js";
import { SecondFactorStep } from "./second-factor-step.js";
import { Alternatives, redirectTargets, useInstanceFactors } from "./alternatives.js";
import {
  CheckEmailCard,
  linkRedirectUrl,
  LinkReturnedCard,
  linkStatusOfPage,
  useEmailLinkFlow,
  type LinkStatus,
} from "./email-link.js";

type Step =
  | { step: "credentials" }
  | { step: "secondFactor"; strategy: SecondFactorStrategy }
  | { step: "emailCode"; sentTo: string }
  | { step: "phoneCode"; sentTo: string }
  | { step: "emailLink"; sentTo: string }
  | { step: "linkReturned"; status: LinkStatus }
  | { step: "resetCode"; sentTo: string }
  | { step: "newPassword" }
  | { step: "signUp" };

export function SignIn(props: SignInProps) {
  const { tandem, options, ui } = useTandemContext("SignIn");
  const appearance = useAppearance(props.appearance, "SignIn");
  const [step, setStep] = useState<Step>(() => {
    if (props.resumeSecondFactor && tandem.signIn.status === "needs_second_factor")
      return { step: "secondFactor", strategy: tandem.signIn.supportedSecondFactors[0]?.strategy ?? "totp" };
    const returned = linkStatusOfPage();
    return returned ? { step: "linkReturned", status: returned } : { step: "credentials" };
  });
  const [identifier, setIdentifier] = useState(
    props.initialValues?.emailAddress ?? props.initialValues?.username ?? "",
  );
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const signIn = tandem.signIn;
  const factors = useInstanceFactors(tandem);
  const { busy, errors, setErrors, run, finish } = useFormFlow(
    { tandem, ui },
    {
      onDone: props.onSignedIn,
      redirectUrl: pickRedirect(
        props.forceRedirectUrl,
        options.signInForceRedirectUrl,
        props.fallbackRedirectUrl,
        options.signInFallbackRedirectUrl,
      ),
    },
  );

  const sentTo = () => {
    for (const f of signIn.supportedFirstFactors)
      if (f.strategy !== "password" && f.safeIdentifier) return f.safeIdentifier;
    return identifier;
  };

  const chooseSecondFactor = async (strategy: SecondFactorStrategy) => {
    setCode("");
    if (strategy === "phone_code") await signIn.prepareSecondFactor({ strategy });
    setStep({ step: "secondFactor", strategy });
  };
  /** Done, or on to the second factor when the account has one. */
  const next = async () => {
    if (signIn.status !== "needs_second_factor") return finish(signIn);
    setErrors(NO_ERRORS);
    await chooseSecondFactor(signIn.supportedSecondFactors[0]?.strategy ?? "totp");
  };

  const link = useEmailLinkFlow<unknown>(
    () =>
      void run(async () => {
        const v = signIn.firstFactorVerification?.status;
        if (signIn.status === "needs_first_factor" && (v === "expired" || v === "failed"))
          return setErrors({ fields: {}, form: "The link has expired. Send a new one." });
        await next();
      }),
    (e) => setErrors(toFormErrors(e)),
  );
  const sendLink = () => link.start(signIn.createEmailLinkFlow(), linkRedirectUrl(props.emailLinkRedirectUrl));

  const needIdentifier = () => {
    if (identifier.trim()) return true;
    setErrors({ fields: { identifier: "Enter your email address or username first." } });
    return false;
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    switch (step.step) {
      case "credentials":
        return void run(async () => {
          await signIn.create({ identifier: identifier.trim(), password });
          await next();
        });
      case "emailCode":
      case "phoneCode":
        return void run(async () => {
          const strategy = step.step === "emailCode" ? "email_code" : "phone_code";
          await signIn.attemptFirstFactor({ strategy, code: code.trim() });
          await next();
        });
      case "resetCode":
        return void run(async () => {
          await signIn.attemptFirstFactor({ strategy: "reset_password_email_code", code: code.trim() });
          setStep({ step: "newPassword" });
        });
      case "newPassword":
        return void run(async () => {
          await signIn.resetPassword({ password: newPassword });
          await next();
        });
      case "secondFactor":
        return void run(async () => {
          await signIn.attemptSecondFactor({ strategy: step.strategy, code: code.trim() });
          await finish(signIn);
        });
      case "signUp":
      case "emailLink":
      case "linkReturned":
        return;
      default:
        return unreachable(step);
    }
  };

  const redirectUrl = pickRedirect(
    props.forceRedirectUrl,
    options.signInForceRedirectUrl,
    props.fallbackRedirectUrl,
    options.signInFallbackRedirectUrl,
  );
  const alternatives = (
    <Alternatives
      factors={factors}
      busy={busy}
      appearance={appearance}
      onSocial={(strategy) =>
        void run(() =>
          signIn.authenticateWithRedirect({ strategy, ...redirectTargets(props.oauthCallbackUrl, redirectUrl) }),
        )
      }
      onPasskey={() =>
        void run(async () => {
          await signIn.authenticateWithPasskey();
          await next();
        })
      }
    />
  );

  const emailMeACode = () =>
    needIdentifier() &&
    void run(async () => {
      setCode("");
      await signIn.create({ identifier: identifier.trim(), strategy: "email_code" });
      setStep({ step: "emailCode", sentTo: sentTo() });
    });

  const emailMeALink = () =>
    needIdentifier() &&
    void run(async () => {
      await signIn.create({ identifier: identifier.trim() });
      const offered = signIn.supportedFirstFactors.find((f) => f.strategy === "email_link");
      if (!offered) return setErrors({ fields: { identifier: "This account cannot sign in by email link." } });
      setStep({ step: "emailLink", sentTo: offered.safeIdentifier });
      sendLink();
    });

  const textMeACode = () =>
    needIdentifier() &&
    void run(async () => {
      setCode("");
      await signIn.create({ identifier: identifier.trim(), strategy: "phone_code" });
      const phone = signIn.supportedFirstFactors.find((f) => f.strategy === "phone_code");
      setStep({ step: "phoneCode", sentTo: phone && "safeIdentifier" in phone ? phone.safeIdentifier : identifier });
    });

  const forgotPassword = () =>
    needIdentifier() &&
    void run(async () => {
      setCode("");
      await signIn.create({ identifier: identifier.trim(), strategy: "reset_password_email_code" });
      setStep({ step: "resetCode", sentTo: sentTo() });
    });

  const back = (
    <LinkButton
      appearance={appearance}
      onClick={() => (link.cancel(), setErrors(NO_ERRORS), setStep({ step: "credentials" }))}
    >
      Back
    </LinkButton>
  );
  const signUpUrl = props.signUpUrl ?? options.signUpUrl;
  const toSignUp = signUpUrl ? (
    <a href={signUpUrl} {...elementProps(appearance, "footerActionLink")}>
      Sign up
    </a>
  ) : (
    <LinkButton appearance={appearance} onClick={() => setStep({ step: "signUp" })}>
      Sign up
    </LinkButton>
  );

  switch (step.step) {
    case "signUp":
      return (
        <SignUp
          appearance={props.appearance}
          {...(props.onSignedIn ? { onSignedUp: props.onSignedIn } : {})}
          onSwitchToSignIn={() => setStep({ step: "credentials" })}
        />
      );
    case "credentials":
      return (
        <Card
          title="Sign in"
          subtitle="Welcome back! Sign in to continue."
          appearance={appearance}
          footer={
            <>
              <span>Don’t have an account?</span> {toSignUp}
            </>
          }
        >
          <form noValidate onSubmit={submit} aria-label="Sign in" className="tandem-form">
            {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
            <Field
              label="Email address or username"
              name="identifier"
              type="text"
              autoComplete="username"
              required
              value={identifier}
              onChange={(e) => setIdentifier(e.target.value)}
              error={errors.fields.identifier}
              appearance={appearance}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.fields.password}
              appearance={appearance}
            />
            <PrimaryButton busy={busy} appearance={appearance}>
              Continue
            </PrimaryButton>
            <div className="tandem-footer">
              <LinkButton appearance={appearance} onClick={emailMeACode}>
                Email me a code instead
              </LinkButton>
              {factors?.emailLink ? (
                <LinkButton appearance={appearance} onClick={emailMeALink}>
                  Email me a sign-in link
                </LinkButton>
              ) : null}
              {factors?.phoneCode ? (
                <LinkButton appearance={appearance} onClick={textMeACode}>
                  Text me a code instead
                </LinkButton>
              ) : null}
              <LinkButton appearance={appearance} onClick={forgotPassword}>
                Forgot password?
              </LinkButton>
            </div>
          </form>
          {alternatives}
        </Card>
      );
    case "emailCode":
    case "phoneCode":
    case "resetCode":
      return (
        <Card
          title={step.step === "phoneCode" ? "Check your phone" : "Check your email"}
          subtitle={`We sent a code to ${step.sentTo}.`}
          appearance={appearance}
          footer={back}
        >
          <CodeForm
            name="Enter the code"
            submitLabel="Continue"
            code={code}
            setCode={setCode}
            errors={errors}
            busy={busy}
            appearance={appearance}
            onSubmit={submit}
          />
        </Card>
      );
    case "emailLink":
      return (
        <CheckEmailCard
          sentTo={step.sentTo}
          what="sign-in link"
          error={errors.form}
          appearance={appearance}
          onResend={() => (setErrors(NO_ERRORS), sendLink())}
          back={back}
        />
      );
    case "linkReturned":
      return (
        <LinkReturnedCard
          status={step.status}
          appearance={appearance}
          onBack={() => setStep({ step: "credentials" })}
        />
      );
    case "secondFactor":
      return (
        <SecondFactorStep
          strategy={step.strategy}
          factors={signIn.supportedSecondFactors}
          code={code}
          setCode={setCode}
          onSubmit={submit}
          onSwitch={(s) => void run(() => chooseSecondFactor(s))}
          busy={busy}
          errors={errors}
          appearance={appearance}
          back={back}
        />
      );
    case "newPassword":
      return (
        <Card title="Set a new password" appearance={appearance} footer={back}>
          <form noValidate onSubmit={submit} aria-label="Set a new password" className="tandem-form">
            {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
            <Field
              label="New password"
              name="new-password"
              type="password"
              autoComplete="new-password"
              required
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
              error={errors.fields.password}
              appearance={appearance}
            />
            <PrimaryButton busy={busy} appearance={appearance}>
              Reset password
            </PrimaryButton>
          </form>
        </Card>
      );
    default:
      return unreachable(step);
  }
}
