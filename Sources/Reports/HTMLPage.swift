/// The standalone page every HTML report is wrapped in: inline CSS, no scripts, no external resources, so it can
/// be mailed as one file and prints cleanly on A4.
enum HTMLPage {
    static func wrap(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let css = """
        body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 11pt; line-height: 1.4; color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
        h1 { font-size: 1.7em; border-bottom: 2px solid #1f4e79; padding-bottom: .3em; color: #1f4e79; }
        h2 { font-size: 1.35em; color: #1f4e79; margin-top: 2em; }
        h3 { font-size: 1.15em; margin-top: 1.5em; }
        h4 { font-size: 1em; margin-top: 1.2em; }
        table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .92em; }
        th, td { border: 1px solid #b8c4d0; padding: .3em .5em; text-align: left; vertical-align: top; }
        th { background: #e8eef4; }
        caption { text-align: left; font-weight: 600; padding: .2em 0; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        tr.target td { font-weight: 600; }
        tr.total td { font-weight: 700; border-top: 2px solid #1f4e79; }
        .warning { border: 2px solid #b3261e; background: #fdecea; padding: .2em 1em; margin: 1em 0; }
        tr.stale td { background: #fdecea; }
        .department { margin: .8em 0 .8em 1em; }
        .status { font-weight: 600; }
        .missing { color: #b3261e; }
        .review { border-left: 4px solid #1f4e79; padding-left: .8em; font-style: italic; }
        .note { font-size: .9em; color: #444; }
        .unverified { color: #8a5a00; }
        code { font-size: .9em; }
        svg { max-width: 100%; height: auto; }
        @media print {
          body { margin: 0; max-width: none; font-size: 10pt; }
          h2 { page-break-before: auto; page-break-after: avoid; }
          h3, h4 { page-break-after: avoid; }
          table, .department, svg { page-break-inside: avoid; }
          a { color: inherit; text-decoration: none; }
        }
        @page { size: A4; margin: 18mm 15mm; }
        """
}
