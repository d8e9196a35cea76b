import streamlit as st; st.write("The floor: a one-line Streamlit page, nothing else.")
