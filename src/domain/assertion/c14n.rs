//! Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`, with or
//! without comments, with an `InclusiveNamespaces` prefix list) of one element's subtree,
//! as XML Signature uses it: the bytes a digest or a signature is computed over.
//!
//! Works on a parsed `roxmltree` document, so entities and character references are already
//! expanded, line ends and attribute values already normalized, and CDATA sections already
//! merged into text, as the canonical form requires. Iterative, so deep nesting cannot
//! overflow the stack.

use roxmltree::{Node, NodeId};

/// Exclusive canonicalization without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive canonicalization with comments.
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

/// Most distinct `PrefixList` entries honoured.
pub const MAX_INCLUSIVE_PREFIXES: usize = 64;

/// How to canonicalize.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct C14nOptions {
    /// Keep comments (`#WithComments`).
    pub with_comments: bool,
    /// Prefixes of the `InclusiveNamespaces PrefixList`, treated as in inclusive
    /// canonicalization; `#default` stands for the default namespace.
    pub inclusive_prefixes: Vec<String>,
    /// An element left out with its subtree: the signature itself, for the
    /// enveloped-signature transform.
    pub exclude: Option<NodeId>,
}

impl C14nOptions {
    /// Options from the whitespace-separated `PrefixList` attribute value. Repeats are
    /// dropped and at most [`MAX_INCLUSIVE_PREFIXES`] kept: every prefix costs a lookup per
    /// element, and a hostile list of thousands would make canonicalization crawl (an
    /// identity provider lists a handful, so a longer list can only fail the digest).
    pub fn with_prefix_list(mut self, prefix_list: Option<&str>) -> C14nOptions {
        let mut prefixes: Vec<String> = Vec::new();
        for p in prefix_list.unwrap_or_default().split_ascii_whitespace() {
            if prefixes.len() == MAX_INCLUSIVE_PREFIXES {
                break;
            }
            if !prefixes.iter().any(|q| q == p) {
                prefixes.push(p.to_owned());
            }
        }
        self.inclusive_prefixes = prefixes;
        self
    }
}

enum Event<'a, 'input> {
    Enter(Node<'a, 'input>),
    Exit(Node<'a, 'input>),
}

/// The exclusive canonical form of `element` and its subtree. Other node kinds give an empty
/// string.
pub fn canonicalize(element: Node<'_, '_>, options: &C14nOptions) -> String {
    let mut out = String::new();
    if !element.is_element() {
        return out;
    }
    // Namespace declarations rendered by output ancestors, innermost last: (prefix, URI), the
    // default namespace as prefix "". Nothing is rendered above the apex, where the default
    // namespace counts as empty.
    let mut rendered: Vec<(&str, &str)> = vec![("", "")];
    let mut marks: Vec<usize> = Vec::new();
    let mut stack = vec![Event::Enter(element)];
    while let Some(event) = stack.pop() {
        match event {
            Event::Enter(node) if node.is_element() => {
                if options.exclude == Some(node.id()) {
                    continue;
                }
                marks.push(rendered.len());
                start_tag(node, options, &mut rendered, &mut out);
                stack.push(Event::Exit(node));
                stack.extend(node.children().rev().map(Event::Enter));
            }
            Event::Enter(node) if node.is_text() => {
                escape_text(node.text().unwrap_or_default(), &mut out);
            }
            Event::Enter(node) if node.is_comment() => {
                if options.with_comments {
                    out.push_str("<!--");
                    out.push_str(node.text().unwrap_or_default());
                    out.push_str("-->");
                }
            }
            Event::Enter(node) => {
                if let Some(pi) = node.pi() {
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                }
            }
            Event::Exit(node) => {
                out.push_str("</");
                out.push_str(qualified_name(node));
                out.push('>');
                if let Some(mark) = marks.pop() {
                    rendered.truncate(mark);
                }
            }
        }
    }
    out
}

fn start_tag<'a>(
    node: Node<'a, '_>,
    options: &'a C14nOptions,
    rendered: &mut Vec<(&'a str, &'a str)>,
    out: &mut String,
) {
    let qname = qualified_name(node);
    let attributes: Vec<(&str, &str, &str, &str)> = node
        .attributes()
        .map(|a| {
            let doc = node.document().input_text();
            let attr_qname = doc.get(a.range_qname()).unwrap_or(a.name());
            (a.namespace().unwrap_or(""), a.name(), attr_qname, a.value())
        })
        .collect();

    // Visibly utilized prefixes: the element's own (the default namespace when it has none)
    // and those of its prefixed attributes; then the inclusive prefix list.
    let mut candidates: Vec<(&str, bool)> = vec![(prefix_of(qname), true)];
    for (ns, _, attr_qname, _) in &attributes {
        if !ns.is_empty() {
            candidates.push((prefix_of(attr_qname), true));
        }
    }
    for p in &options.inclusive_prefixes {
        let p = if p == "#default" { "" } else { p.as_str() };
        candidates.push((p, false));
    }

    let mut declarations: Vec<(&str, &str)> = Vec::new();
    for (prefix, utilized) in candidates {
        if prefix == "xml" || declarations.iter().any(|(p, _)| *p == prefix) {
            continue;
        }
        let uri = if prefix.is_empty() {
            node.default_namespace().unwrap_or("")
        } else {
            match node.lookup_namespace_uri(Some(prefix)) {
                Some(uri) => uri,
                // A listed prefix that is not in scope declares nothing.
                None if !utilized => continue,
                None => "",
            }
        };
        let current = rendered
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, u)| *u);
        let needed = if prefix.is_empty() {
            current.unwrap_or("") != uri
        } else {
            !uri.is_empty() && current != Some(uri)
        };
        if needed {
            declarations.push((prefix, uri));
        }
    }
    declarations.sort_unstable_by(|a, b| a.0.cmp(b.0));
    rendered.extend(declarations.iter().copied());

    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in &declarations {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    let mut attributes = attributes;
    attributes.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, attr_qname, value) in attributes {
        out.push(' ');
        out.push_str(attr_qname);
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');
}

/// The element's name as written (`prefix:local` or `local`), read from the source text.
fn qualified_name<'a>(node: Node<'_, 'a>) -> &'a str {
    let text = node.document().input_text();
    let fallback = node.tag_name().name();
    let Some(after) = text.get(node.range().start + 1..) else {
        return fallback;
    };
    let end = after
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(after.len());
    let name = &after[..end];
    // Guard against positions that do not point at this element's tag.
    if name.rsplit(':').next() == Some(fallback) {
        name
    } else {
        fallback
    }
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn prefix_lists_drop_repeats_and_stay_short() {
        let many = "a ".repeat(80_000) + &(0..200).map(|i| format!("p{i} ")).collect::<String>();
        let options = C14nOptions::default().with_prefix_list(Some(&many));
        assert_eq!(options.inclusive_prefixes.len(), MAX_INCLUSIVE_PREFIXES);
        assert_eq!(options.inclusive_prefixes[0], "a");
        assert_eq!(options.inclusive_prefixes[1], "p0");
    }

    use super::*;

    // Known answers. The expected strings were produced independently with libxml2's
    // exclusive canonicalization (Python lxml: `etree.tostring(el, method="c14n",
    // exclusive=True, ...)`) and checked by hand against the spec, so a mistake shared by
    // this canonicalizer and the test signer (which uses it) cannot hide.

    fn by_id<'a, 'input>(doc: &'a roxmltree::Document<'input>, id: &str) -> Node<'a, 'input> {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap()
    }

    fn c14n(xml: &str, id: Option<&str>, options: &C14nOptions) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let node = id.map_or(doc.root_element(), |id| by_id(&doc, id));
        canonicalize(node, options)
    }

    fn plain(xml: &str, id: &str) -> String {
        c14n(xml, Some(id), &C14nOptions::default())
    }

    /// Exc-C14N spec, section 2.2: the same element in two different contexts canonicalizes
    /// to the same bytes (inclusive canonicalization would pull in n0/n2 and xml:space).
    #[test]
    fn spec_example_is_context_free() {
        let first = "<n0:local xmlns:n0=\"foo:bar\" xmlns:n3=\"ftp://example.org\">\n   \
                     <n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\" id=\"e\">\n       \
                     <n3:stuff xmlns:n3=\"ftp://example.org\"/>\n   </n1:elem2>\n</n0:local>";
        let second = "<n2:pdu xmlns:n1=\"http://example.com\" xmlns:n2=\"http://foo.example\" \
                      xml:lang=\"fr\" xml:space=\"retain\">\n   <n1:elem2 \
                      xmlns:n1=\"http://example.net\" xml:lang=\"en\" id=\"e\">\n       \
                      <n3:stuff xmlns:n3=\"ftp://example.org\"/>\n   </n1:elem2>\n</n2:pdu>";
        let expected = "<n1:elem2 xmlns:n1=\"http://example.net\" id=\"e\" xml:lang=\"en\">\n       \
                        <n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff>\n   </n1:elem2>";
        assert_eq!(plain(first, "e"), expected);
        assert_eq!(plain(second, "e"), expected);
    }

    const ESCAPES: &str = "<root xmlns=\"http://example.com/default\" xmlns:b=\"urn:b\" \
        xmlns:a=\"urn:a\" xmlns:unused=\"urn:unused\">\n  <a:item id=\"x\" b:z=\"1\" a:y=\"2\" \
        z=\"3\" attr=\"&amp;&lt;&gt;&quot;&#9;&#10;&#13;'\">text &amp; &lt; &gt; \" ' &#13; \
        end<empty/><!-- c --><?pi  some data?></a:item>\n</root>";

    #[test]
    fn escapes_sorts_and_expands_empty_elements() {
        assert_eq!(
            plain(ESCAPES, "x"),
            "<a:item xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" \
             attr=\"&amp;&lt;>&quot;&#x9;&#xA;&#xD;'\" id=\"x\" z=\"3\" a:y=\"2\" b:z=\"1\">\
             text &amp; &lt; &gt; \" ' &#xD; end\
             <empty xmlns=\"http://example.com/default\"></empty><?pi some data?></a:item>"
        );
    }

    #[test]
    fn keeps_comments_only_when_asked() {
        let options = C14nOptions {
            with_comments: true,
            ..C14nOptions::default()
        };
        assert_eq!(
            c14n(ESCAPES, Some("x"), &options),
            "<a:item xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" \
             attr=\"&amp;&lt;>&quot;&#x9;&#xA;&#xD;'\" id=\"x\" z=\"3\" a:y=\"2\" b:z=\"1\">\
             text &amp; &lt; &gt; \" ' &#xD; end\
             <empty xmlns=\"http://example.com/default\"></empty><!-- c --><?pi some data?>\
             </a:item>"
        );
    }

    #[test]
    fn undeclares_the_default_namespace_only_under_a_rendered_one() {
        let xml = "<r xmlns=\"urn:d\"><x id=\"t\"><y xmlns=\"\" id=\"y\"><z/></y></x></r>";
        assert_eq!(
            plain(xml, "t"),
            "<x xmlns=\"urn:d\" id=\"t\"><y xmlns=\"\" id=\"y\"><z></z></y></x>"
        );
        assert_eq!(plain(xml, "y"), "<y id=\"y\"><z></z></y>");
    }

    const PREFIXES: &str = "<p:Root xmlns:p=\"urn:p\" xmlns=\"urn:def\" \
        xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
        xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><p:Val id=\"v\" \
        xsi:type=\"xsd:string\">v</p:Val></p:Root>";

    #[test]
    fn inclusive_prefix_list() {
        // xsd is only used inside an attribute value, so it needs the prefix list.
        assert_eq!(
            plain(PREFIXES, "v"),
            "<p:Val xmlns:p=\"urn:p\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             id=\"v\" xsi:type=\"xsd:string\">v</p:Val>"
        );
        let options = C14nOptions::default().with_prefix_list(Some(" xsd "));
        assert_eq!(
            c14n(PREFIXES, Some("v"), &options),
            "<p:Val xmlns:p=\"urn:p\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"v\" \
             xsi:type=\"xsd:string\">v</p:Val>"
        );
        // Rendered once, on the apex, not again below it.
        assert_eq!(
            c14n(PREFIXES, None, &options),
            "<p:Root xmlns:p=\"urn:p\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><p:Val \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"v\" \
             xsi:type=\"xsd:string\">v</p:Val></p:Root>"
        );
        // A listed prefix that is not in scope declares nothing.
        let options = C14nOptions::default().with_prefix_list(Some("nowhere"));
        assert_eq!(c14n(PREFIXES, Some("v"), &options), plain(PREFIXES, "v"));
    }

    /// `#default` stands for the default namespace, rendered as inclusive canonicalization
    /// would (checked by hand: libxml2 does not honour the token through lxml).
    #[test]
    fn inclusive_prefix_list_default_token() {
        let options = C14nOptions::default().with_prefix_list(Some("#default xsd"));
        assert_eq!(
            c14n(PREFIXES, Some("v"), &options),
            "<p:Val xmlns=\"urn:def\" xmlns:p=\"urn:p\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"v\" \
             xsi:type=\"xsd:string\">v</p:Val>"
        );
    }

    #[test]
    fn redundant_declarations_are_dropped_and_changed_ones_kept() {
        let xml = "<a:x xmlns:a=\"urn:a\" id=\"x\"><a:y xmlns:a=\"urn:a\"/><a:w \
                   xmlns:a=\"urn:other\"><a:v/></a:w></a:x>";
        assert_eq!(
            plain(xml, "x"),
            "<a:x xmlns:a=\"urn:a\" id=\"x\"><a:y></a:y><a:w xmlns:a=\"urn:other\"><a:v></a:v>\
             </a:w></a:x>"
        );
    }

    #[test]
    fn sorts_attributes_by_namespace_uri_then_name() {
        let xml = "<e xmlns:z=\"urn:z\" xmlns:b=\"urn:b\" id=\"e\" xml:lang=\"de\" z:a=\"1\" \
                   b:a=\"2\" xml:space=\"preserve\"><f xml:lang=\"fr\">x</f></e>";
        assert_eq!(
            plain(xml, "e"),
            "<e xmlns:b=\"urn:b\" xmlns:z=\"urn:z\" id=\"e\" xml:lang=\"de\" \
             xml:space=\"preserve\" b:a=\"2\" z:a=\"1\"><f xml:lang=\"fr\">x</f></e>"
        );
    }

    #[test]
    fn leaves_out_the_excluded_subtree_but_not_the_text_around_it() {
        let xml = "<a id=\"a\">one<sig id=\"s\"><x/></sig>two<!--c--></a>";
        let doc = roxmltree::Document::parse(xml).unwrap();
        let options = C14nOptions {
            exclude: Some(by_id(&doc, "s").id()),
            with_comments: false,
            ..C14nOptions::default()
        };
        assert_eq!(
            canonicalize(doc.root_element(), &options),
            "<a id=\"a\">onetwo</a>"
        );
    }

    #[test]
    fn cdata_and_character_references_become_text() {
        let xml = "<a id=\"a\"><![CDATA[x < y & z]]>&#x41;&#65;\r\nB</a>";
        assert_eq!(plain(xml, "a"), "<a id=\"a\">x &lt; y &amp; zAA\nB</a>");
    }

    #[test]
    fn non_elements_give_nothing() {
        let doc = roxmltree::Document::parse("<a>t</a>").unwrap();
        let text = doc.root_element().first_child().unwrap();
        assert_eq!(canonicalize(text, &C14nOptions::default()), "");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let opts = roxmltree::ParsingOptions {
            nodes_limit: u32::MAX,
            ..roxmltree::ParsingOptions::default()
        };
        if let Ok(doc) = roxmltree::Document::parse_with_options(&xml, opts) {
            assert_eq!(
                canonicalize(doc.root_element(), &C14nOptions::default()),
                xml
            );
        }
    }
}
