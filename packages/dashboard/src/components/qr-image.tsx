import { generate } from 'lean-qr';
import { useMemo } from 'preact/hooks';

/** The QR payload drawn in the browser (lean-qr, bundled) as a PNG image. */
export function QrImage({ value }: { value: string }) {
  const src = useMemo(() => generate(value).toDataURL({ scale: 6, pad: 4 }), [value]);
  return <img class="qr" src={src} alt="WhatsApp pairing QR code" width={240} height={240} data-qr={value} />;
}
