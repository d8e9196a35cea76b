"""The floor of a page with widgets: what the app's pages have in common with any Streamlit page that
shows a few element types whose front-end code loads on demand (bench/interleave.py compares it).

The sidebar holds the kinds of controls the app's sidebar holds (a segmented control, button groups,
a toggle); the main pane three bordered metrics, an SVG image and two download buttons, and nothing
is computed. Beside the one-line floor page (bench/floor_app.py) it shows what those element types
alone cost a new visitor's browser.
"""
import streamlit as st

st.write("The floor with widgets: a few element types, nothing computed.")
with st.sidebar:
    st.segmented_control("Language", ["zh", "en"], default="zh")
    st.pills("Period", ["13 weeks", "4 weeks", "year to date"], default="13 weeks")
    st.pills("Districts", ["A", "B", "C", "D", "E", "F"], selection_mode="multi")
    st.toggle("Interactive charts")
cols = st.columns(3)
for i, col in enumerate(cols):
    with col:
        st.metric(f"Metric {i + 1}", f"{(i + 1) * 1234:,}", delta=f"+{i}%", border=True, help="A tooltip.")
st.image('<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="300">'
         '<rect x="40" y="40" width="900" height="220" fill="#1f5fa8"/></svg>', width="stretch")
with st.container(horizontal=True):
    st.download_button("CSV", b"a,b\n1,2\n", file_name="x.csv", on_click="ignore", icon=":material/download:")
    st.download_button("PNG", b"x", file_name="x.png", on_click="ignore", icon=":material/image:")
