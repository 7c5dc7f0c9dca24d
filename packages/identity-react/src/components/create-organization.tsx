/**
 * `<CreateOrganization />`: name (and optional slug); the new organization becomes the active one
 * unless `skipActivation`; then `afterCreateOrganizationUrl`, if given.
 */
import { useState, type FormEvent } from "react";
import type { OrganizationResource } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";
import { useOrganizationList } from "../hooks/organizations.js";
import { useTandemContext } from "../context.js";
import { Card, useAppearance } from "./card.js";
import { Alert, Field, NO_ERRORS, PrimaryButton, toFormErrors, type FormErrors } from "./fields.js";

export interface CreateOrganizationProps {
  afterCreateOrganizationUrl?: string;
  skipActivation?: boolean;
  onCreated?: (organization: OrganizationResource) => void;
  appearance?: Appearance;
}

export function CreateOrganization(props: CreateOrganizationProps) {
  const appearance = useAppearance(props.appearance, "CreateOrganization");
  const { ui } = useTandemContext("CreateOrganization");
  const list = useOrganizationList();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  if (!list.isLoaded) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const org = await list.createOrganization({ name, ...(slug.trim() ? { slug: slug.trim() } : {}) });
      if (!props.skipActivation) await list.setActive({ organization: org.id });
      props.onCreated?.(org);
      if (props.afterCreateOrganizationUrl) await ui.navigate(props.afterCreateOrganizationUrl);
    } catch (err) {
      setErrors(toFormErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Create organization" appearance={appearance}>
      <form {...elementProps(appearance, "form")} onSubmit={(e) => void submit(e)} noValidate>
        {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
        <Field
          label="Name"
          name="name"
          value={name}
          required
          onChange={(e) => setName(e.target.value)}
          error={errors.fields.name}
          appearance={appearance}
        />
        <Field
          label="Slug (optional)"
          name="slug"
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          error={errors.fields.slug}
          appearance={appearance}
        />
        <PrimaryButton busy={busy} appearance={appearance}>
          Create organization
        </PrimaryButton>
      </form>
    </Card>
  );
}
