/**
 * `<SignUp />`: names, e-mail, password (and a phone number when the instance takes one), then the
 * code sent to that address — or a link, when the instance has magic links — then the code texted
 * to the number; the session becomes active when all are verified.
 *
 *   details ──create + prepareEmailAddressVerification──▶ code ──attemptEmailAddressVerification──┬──▶ done
 *                                                          └─"Email me a link"─▶ emailLink ─opened─┤
 *                                                                                                   └─(phone)─▶ phoneCode ──▶ done
 * The page a magic link returns to shows `linkReturned` (what the link did).
 */
import { useState, type FormEvent } from "react";
import { unreachable } from "@tandem/shared";
import { useTandemContext } from "../context.js";
import { elementProps } from "../theme.js";
import type { SignUpProps } from "../types.js";
import { Card, useAppearance } from "./card.js";
import { Alert, CodeForm, Field, LinkButton, NO_ERRORS, PrimaryButton, toFormErrors } from "./fields.js";
import { pickRedirect } from "./redirect.js";
import { useFormFlow } from "./use-form-flow.js";
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
  | { step: "details" }
  | { step: "code" }
  | { step: "emailLink" }
  | { step: "phoneCode" }
  | { step: "linkReturned"; status: LinkStatus };

export function SignUp(props: SignUpProps & { onSwitchToSignIn?: () => void }) {
  const { tandem, options, ui } = useTandemContext("SignUp");
  const appearance = useAppearance(props.appearance, "SignUp");
  const init = props.initialValues ?? {};
  const [step, setStep] = useState<Step>(() => {
    const returned = linkStatusOfPage();
    return returned ? { step: "linkReturned", status: returned } : { step: "details" };
  });
  const [firstName, setFirstName] = useState(init.firstName ?? "");
  const [lastName, setLastName] = useState(init.lastName ?? "");
  const [emailAddress, setEmailAddress] = useState(init.emailAddress ?? "");
  const [password, setPassword] = useState("");
  const [phoneNumber, setPhoneNumber] = useState("");
  const [code, setCode] = useState("");
  const signUp = tandem.signUp;
  const factors = useInstanceFactors(tandem);
  const redirectUrl = pickRedirect(
    props.forceRedirectUrl,
    options.signUpForceRedirectUrl,
    props.fallbackRedirectUrl,
    options.signUpFallbackRedirectUrl,
  );
  const { busy, errors, setErrors, run, finish } = useFormFlow(
    { tandem, ui },
    { onDone: props.onSignedUp, redirectUrl },
  );

  /** The address is verified: on to the phone's code when there is a number, else done. */
  const afterEmail = async () => {
    if (signUp.status === "complete") return finish(signUp);
    if (signUp.phoneNumber && signUp.verifications.phoneNumber?.status !== "verified") {
      await signUp.preparePhoneNumberVerification();
      setCode("");
      setStep({ step: "phoneCode" });
    }
  };

  const link = useEmailLinkFlow<unknown>(
    () =>
      void run(async () => {
        const v = signUp.verifications.emailAddress?.status;
        if (signUp.status !== "complete" && v !== "verified")
          return setErrors({ fields: {}, form: "The link has expired. Send a new one." });
        await afterEmail();
      }),
    (e) => setErrors(toFormErrors(e)),
  );
  const sendLink = () => {
    setErrors(NO_ERRORS);
    link.start(signUp.createEmailLinkFlow(), linkRedirectUrl(props.emailLinkRedirectUrl));
  };
  const back = (to: Step) => (
    <LinkButton appearance={appearance} onClick={() => (link.cancel(), setErrors(NO_ERRORS), setStep(to))}>
      Back
    </LinkButton>
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    switch (step.step) {
      case "details":
        return void run(async () => {
          await signUp.create({
            emailAddress: emailAddress.trim(),
            password,
            ...(phoneNumber.trim() ? { phoneNumber: phoneNumber.trim() } : {}),
            ...(firstName.trim() ? { firstName: firstName.trim() } : {}),
            ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
            ...(props.unsafeMetadata ? { unsafeMetadata: props.unsafeMetadata } : {}),
          });
          if (signUp.status === "complete") return finish(signUp);
          await signUp.prepareEmailAddressVerification({ strategy: "email_code" });
          setCode("");
          setStep({ step: "code" });
        });
      case "code":
        return void run(async () => {
          await signUp.attemptEmailAddressVerification({ code: code.trim() });
          await afterEmail();
        });
      case "phoneCode":
        return void run(async () => {
          await signUp.attemptPhoneNumberVerification({ code: code.trim() });
          await finish(signUp);
        });
      case "emailLink":
      case "linkReturned":
        return;
      default:
        return unreachable(step);
    }
  };

  const signInUrl = props.signInUrl ?? options.signInUrl;
  const toSignIn = props.onSwitchToSignIn ? (
    <LinkButton appearance={appearance} onClick={props.onSwitchToSignIn}>
      Sign in
    </LinkButton>
  ) : signInUrl ? (
    <a href={signInUrl} {...elementProps(appearance, "footerActionLink")}>
      Sign in
    </a>
  ) : (
    <LinkButton appearance={appearance} onClick={() => ui.setModal({ kind: "signIn", props: {} })}>
      Sign in
    </LinkButton>
  );

  switch (step.step) {
    case "details":
      return (
        <Card
          title="Create your account"
          subtitle="Welcome! Fill in the details to get started."
          appearance={appearance}
          footer={
            <>
              <span>Already have an account?</span> {toSignIn}
            </>
          }
        >
          <form noValidate onSubmit={submit} aria-label="Sign up" className="tandem-form">
            {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
            <Field
              label="First name"
              name="first-name"
              autoComplete="given-name"
              value={firstName}
              onChange={(e) => setFirstName(e.target.value)}
              error={errors.fields.first_name}
              appearance={appearance}
            />
            <Field
              label="Last name"
              name="last-name"
              autoComplete="family-name"
              value={lastName}
              onChange={(e) => setLastName(e.target.value)}
              error={errors.fields.last_name}
              appearance={appearance}
            />
            <Field
              label="Email address"
              name="email"
              type="email"
              autoComplete="email"
              required
              value={emailAddress}
              onChange={(e) => setEmailAddress(e.target.value)}
              error={errors.fields.email_address}
              appearance={appearance}
            />
            {factors && factors.phoneNumber !== "off" ? (
              <Field
                label={factors.phoneNumber === "required" ? "Phone number" : "Phone number (optional)"}
                name="phone"
                type="tel"
                autoComplete="tel"
                inputMode="tel"
                placeholder="+15555550100"
                required={factors.phoneNumber === "required"}
                value={phoneNumber}
                onChange={(e) => setPhoneNumber(e.target.value)}
                error={errors.fields.phone_number}
                appearance={appearance}
              />
            ) : null}
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.fields.password}
              appearance={appearance}
            />
            <PrimaryButton busy={busy} appearance={appearance}>
              Continue
            </PrimaryButton>
          </form>
          <Alternatives
            factors={factors}
            busy={busy}
            appearance={appearance}
            onSocial={(strategy) =>
              void run(() =>
                signUp.authenticateWithRedirect({
                  strategy,
                  ...redirectTargets(props.oauthCallbackUrl, redirectUrl),
                  ...(props.unsafeMetadata ? { unsafeMetadata: props.unsafeMetadata } : {}),
                }),
              )
            }
          />
        </Card>
      );
    case "code":
      return (
        <Card
          title="Verify your email"
          subtitle={`We sent a code to ${signUp.emailAddress ?? emailAddress}.`}
          appearance={appearance}
          footer={
            <>
              <LinkButton
                appearance={appearance}
                onClick={() => void run(async () => void (await signUp.prepareEmailAddressVerification()))}
              >
                Send a new code
              </LinkButton>
              {factors?.emailLink ? (
                <LinkButton appearance={appearance} onClick={() => (setStep({ step: "emailLink" }), sendLink())}>
                  Email me a link instead
                </LinkButton>
              ) : null}
              {back({ step: "details" })}
            </>
          }
        >
          <CodeForm
            name="Verify your email"
            submitLabel="Verify"
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
          sentTo={signUp.emailAddress ?? emailAddress}
          what="verification link"
          error={errors.form}
          appearance={appearance}
          onResend={sendLink}
          back={back({ step: "code" })}
        />
      );
    case "phoneCode":
      return (
        <Card
          title="Verify your phone"
          subtitle={`We texted a code to ${signUp.phoneNumber ?? phoneNumber}.`}
          appearance={appearance}
          footer={
            <LinkButton
              appearance={appearance}
              onClick={() => void run(async () => void (await signUp.preparePhoneNumberVerification()))}
            >
              Send a new code
            </LinkButton>
          }
        >
          <CodeForm
            name="Verify your phone"
            submitLabel="Verify"
            code={code}
            setCode={setCode}
            errors={errors}
            busy={busy}
            appearance={appearance}
            onSubmit={submit}
          />
        </Card>
      );
    case "linkReturned":
      return (
        <LinkReturnedCard status={step.status} appearance={appearance} onBack={() => setStep({ step: "details" })} />
      );
    default:
      return unreachable(step);
  }
}
