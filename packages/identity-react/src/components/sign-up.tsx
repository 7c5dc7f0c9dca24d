/**
 * `<SignUp />`: names, e-mail and password, then the code sent to that address; the session
 * becomes active when the code is right.
 *
 *   details ──create + prepareEmailAddressVerification──▶ code ──attemptEmailAddressVerification──▶ done
 */
import { useState, type FormEvent } from "react";
import { unreachable } from "@tandem/shared";
import { useTandemContext } from "../context.js";
import { elementProps } from "../theme.js";
import type { SignUpProps } from "../types.js";
import { Card, useAppearance } from "./card.js";
import { Alert, CodeForm, Field, LinkButton, NO_ERRORS, PrimaryButton } from "./fields.js";
import { pickRedirect } from "./redirect.js";
import { useFormFlow } from "./use-form-flow.js";
import { Alternatives, redirectTargets, useInstanceFactors } from "./alternatives.js";

type Step = { step: "details" } | { step: "code" };

export function SignUp(props: SignUpProps & { onSwitchToSignIn?: () => void }) {
  const { tandem, options, ui } = useTandemContext("SignUp");
  const appearance = useAppearance(props.appearance, "SignUp");
  const init = props.initialValues ?? {};
  const [step, setStep] = useState<Step>({ step: "details" });
  const [firstName, setFirstName] = useState(init.firstName ?? "");
  const [lastName, setLastName] = useState(init.lastName ?? "");
  const [emailAddress, setEmailAddress] = useState(init.emailAddress ?? "");
  const [password, setPassword] = useState("");
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

  const submit = (e: FormEvent) => {
    e.preventDefault();
    switch (step.step) {
      case "details":
        return void run(async () => {
          await signUp.create({
            emailAddress: emailAddress.trim(),
            password,
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
          await finish(signUp);
        });
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
              <LinkButton appearance={appearance} onClick={() => (setErrors(NO_ERRORS), setStep({ step: "details" }))}>
                Back
              </LinkButton>
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
    default:
      return unreachable(step);
  }
}
