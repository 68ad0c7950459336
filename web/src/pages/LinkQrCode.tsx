import { useEffect, useState } from 'react';

/**
 * The link as a QR code, drawn in the browser (the token never leaves it for this) as an SVG
 * image: a contact at the desk can scan it with a phone instead of typing it.
 */
export function LinkQrCode({ url, contactName }: { url: string; contactName: string }) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    let current = true;
    // Loaded when a link is shown, so the QR encoder is not in every page's first script.
    import('qrcode')
      .then(({ toString: qrSvg }) =>
        qrSvg(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }),
      )
      .then(
        (svg) => {
          if (current) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
        },
        () => {
          if (current) setSrc('');
        },
      );
    return () => {
      current = false;
    };
  }, [url]);
  if (!src) return null;
  return (
    <figure className="link-qr">
      <img
        src={src}
        width={176}
        height={176}
        alt={`QR code of the link for ${contactName}: scanning it opens the same link.`}
      />
      <figcaption>Scan to open the link on a phone.</figcaption>
    </figure>
  );
}
