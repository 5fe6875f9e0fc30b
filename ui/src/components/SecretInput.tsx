/** A write-only secret: typed in, never shown back (the API only ever returns its last characters). */
export function SecretInput({ label, name, value, onChange, hint }: { label: string; name: string; value: string; onChange: (value: string) => void; hint?: string }) {
  return (
    <label>
      {label}
      <input
        type="password"
        name={name}
        value={value}
        autoComplete="new-password"
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        placeholder={hint ? `stored: ${hint}` : undefined}
      />
    </label>
  );
}

export function maskedHint(hint: string): string {
  const tail = hint.replace(/^[…\.]+/, "");
  return tail ? `••••••••${tail}` : "••••••••";
}
