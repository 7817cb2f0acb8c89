//! GraphiQL, served from assets compiled into the binary, so that it works without a CDN (an
//! air-gapped deployment, a strict content-security policy, a laptop on a train).

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The GraphiQL release the assets come from; part of their URLs, so they can be cached forever.
const VERSION: &str = "3.9.0";

const REACT: &[u8] = include_bytes!("../assets/vendor/graphiql/react.production.min.js");
const REACT_DOM: &[u8] = include_bytes!("../assets/vendor/graphiql/react-dom.production.min.js");
const GRAPHIQL_JS: &[u8] = include_bytes!("../assets/vendor/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = include_bytes!("../assets/vendor/graphiql/graphiql.min.css");

/// The GraphiQL page for `/graphql`. With `token` (demo mode only), GraphiQL sends it on every
/// request and in the WebSocket `connection_init`.
pub fn page(token: Option<&str>) -> String {
    // JSON is valid JavaScript; `</` is escaped so the value cannot close the script element.
    let token = serde_json::to_string(&token.map(|t| format!("Bearer {t}")))
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/");
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="noindex">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tandem · GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="/graphiql/{VERSION}/graphiql.min.css">
  <script src="/graphiql/{VERSION}/react.production.min.js"></script>
  <script src="/graphiql/{VERSION}/react-dom.production.min.js"></script>
  <script src="/graphiql/{VERSION}/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const authorization = {token};
    const url = new URL('/graphql', window.location.origin).toString();
    const subscriptionUrl = url.replace(/^http/, 'ws');
    const headers = authorization ? {{ Authorization: authorization }} : {{}};
    const fetcher = GraphiQL.createFetcher({{ url, subscriptionUrl, headers, wsConnectionParams: headers }});
    const defaultQuery = `# Tandem: accounts, their owners, contacts and revenue.
{{
  accounts(first: 10, orderBy: NAME_ASC) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      name
      plan
      touchTier
      lifecycleStage
      mrr {{ formatted }}
      owner {{ name }}
      contacts {{ name stakeholderRole }}
    }}
  }}
}}
`;
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery, defaultEditorToolsVisibility: !authorization }})
    );
  </script>
</body>
</html>
"#
    )
}

/// `GET /graphiql/{version}/{file}`: one of the compiled-in assets.
pub async fn asset(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, file) = path.into_inner();
    let found = match file.as_str() {
        "react.production.min.js" => Some((REACT, "text/javascript; charset=utf-8")),
        "react-dom.production.min.js" => Some((REACT_DOM, "text/javascript; charset=utf-8")),
        "graphiql.min.js" => Some((GRAPHIQL_JS, "text/javascript; charset=utf-8")),
        "graphiql.min.css" => Some((GRAPHIQL_CSS, "text/css; charset=utf-8")),
        _ => None,
    };
    match found {
        Some((bytes, content_type)) if version == VERSION => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(bytes),
        _ => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_cannot_break_out_of_the_script() {
        let html = page(Some("</script><script>alert(1)</script>"));
        assert!(!html.contains("</script><script>alert"));
    }

    #[test]
    fn without_a_token_no_header_is_prefilled() {
        assert!(page(None).contains("const authorization = null;"));
    }
}
