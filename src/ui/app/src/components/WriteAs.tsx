/**
 * The "Write it as: Form / Template text" choice of the create pages that take either a form or
 * the object's template as text (networks, network templates, hooks; JSON for service templates).
 */
export function WriteAs({ text, onChange, textLabel = 'Template text' }: { text: boolean; onChange: (text: boolean) => void; textLabel?: string }) {
  return (
    <fieldset className="choice">
      <legend>Write it as</legend>
      <label>
        <input type="radio" name="mode" checked={!text} onChange={() => onChange(false)} /> Form
      </label>
      <label>
        <input type="radio" name="mode" checked={text} onChange={() => onChange(true)} /> {textLabel}
      </label>
    </fieldset>
  );
}
