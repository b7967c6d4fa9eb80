print("tenure: under construction")
