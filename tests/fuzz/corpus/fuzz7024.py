# model fuzz7024, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.reshape(torch.sqrt((torch.abs(torch.relu(F.linear(torch.clamp(x, -0.5, 0.75), t["v1.weight"], t["v1.bias"]))) + torch.tensor(0.5))), (-1, 2, 3))
    p1 = t["p1"]
    v2 = torch.relu(torch.sqrt((torch.abs((p1 * v1)) + torch.tensor(0.5))))
    v3 = F.linear(y, t["v3.weight"], t["v3.bias"])
    p2 = t["p2"]
    v4 = (-(torch.tanh(torch.sigmoid(p1)) / (torch.sigmoid(p2) + torch.tensor(0.5))))
    v5 = torch.softmax(torch.cat([torch.tanh(v4), p1], 0), -1)
    p3 = t["p3"]
    v6 = (torch.cat([v5, torch.tanh(v5)], 0)[0:2] / torch.exp(torch.tanh(p3)))
    p4 = t["p4"]
    v7 = torch.relu((p4 + torch.relu(x)))
    p5 = t["p5"]
    v8 = (p5 * v7)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        return h
    v9 = torch.sqrt((torch.abs(F.elu(net1((v8 * (v8 / ((v8 * v8) + torch.tensor(1))))))) + torch.tensor(0.5)))
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.sigmoid(h)
        return h
    v10 = torch.relu(net2((-torch.sigmoid(F.gelu((v9 - p3))))))
    p6 = t["p6"]
    z = torch.matmul(v3, p6)
    return F.mse_loss(z, y) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p5 * p5)))
