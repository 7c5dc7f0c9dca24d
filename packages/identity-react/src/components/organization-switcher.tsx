/**
 * `<OrganizationSwitcher />`: a labelled select of the personal account and the user's
 * organizations; choosing one makes it active (`setActive({ organization })`), so tokens — and
 * Convex, through `useAuth().orgId` — follow.
 */
import { useState, type ChangeEvent } from "react";
import { elementProps, variableStyle, type Appearance } from "../theme.js";
import { useOrganization, useOrganizationList } from "../hooks/organizations.js";
import { useAppearance } from "./card.js";
import { Alert, toFormErrors } from "./fields.js";

export interface OrganizationSwitcherProps {
  hidePersonal?: boolean;
  appearance?: Appearance;
}

const PERSONAL = "";

export function OrganizationSwitcher(props: OrganizationSwitcherProps) {
  const appearance = useAppearance(props.appearance, "OrganizationSwitcher");
  const { organization } = useOrganization();
  const list = useOrganizationList();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!list.isLoaded) return null;
  const onChange = async (e: ChangeEvent<HTMLSelectElement>) => {
    const id = e.target.value;
    setBusy(true);
    setError(undefined);
    try {
      await list.setActive({ organization: id === PERSONAL ? null : id });
    } catch (err) {
      setError(toFormErrors(err).form ?? "Could not switch organization.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div {...elementProps(appearance, "organizationSwitcherTrigger", variableStyle(appearance))}>
      <select
        aria-label="Organization"
        value={organization?.id ?? PERSONAL}
        onChange={(e) => void onChange(e)}
        disabled={busy}
        aria-busy={busy || undefined}
      >
        {props.hidePersonal ? null : <option value={PERSONAL}>Personal account</option>}
        {list.userMemberships.data.map((m) => (
          <option key={m.organization.id} value={m.organization.id}>
            {m.organization.name}
          </option>
        ))}
      </select>
      {error ? <Alert appearance={appearance}>{error}</Alert> : null}
    </div>
  );
}
